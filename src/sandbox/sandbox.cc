#include "sandbox/sandbox.h"

#include <fmt/format.h>

#include "sandbox/setup_sql.h"

namespace ag::sandbox {
namespace {

/// "+asyncpg" for postgresql+asyncpg://..., else "".
std::string scheme_driver(const std::string& url) {
  size_t plus = url.find('+'), colon = url.find("://");
  if (plus == std::string::npos || colon == std::string::npos || plus > colon) return "";
  return url.substr(plus, colon - plus);
}

}  // namespace

std::string with_project_driver(const std::string& python_url, const std::string& ini_url) {
  std::string driver = scheme_driver(ini_url);
  size_t colon = python_url.find("://");
  if (driver.empty() || !scheme_driver(python_url).empty() || colon == std::string::npos)
    return python_url;
  return python_url.substr(0, colon) + driver + python_url.substr(colon);
}

Result<std::unique_ptr<Server>> Server::obtain(const config::Settings& settings) {
  std::unique_ptr<Server> server(new Server());
  std::string url = settings.database_url;
  if (url.empty()) {
    Result<pg::EmbeddedServer> started = pg::EmbeddedServer::start();
    if (!started) {
      return Error{"cannot start the embedded PostgreSQL server: " + started.error().message, "", 0,
                   started.error().detail};
    }
    server->embedded_.emplace(std::move(*started));
    url = server->embedded_->url();
  }
  Result<pg::DatabaseUrl> parsed = pg::parse_database_url(url);
  if (!parsed) return parsed.error();  // its message names database-url
  server->url_ = std::move(*parsed);
  return server;
}

std::string Server::description() const {
  return embedded_ ? "the embedded server" : url_.redacted();
}

Sandbox::~Sandbox() = default;

Result<std::unique_ptr<Sandbox>> Sandbox::open(const Server& server,
                                               const config::Settings& settings,
                                               const project::Project& project, const LogLine& log,
                                               std::optional<alembic::WorkerLaunch> launched) {
  std::unique_ptr<Sandbox> sandbox(new Sandbox());
  pg::ScratchOptions options;
  options.allow_configured_database = settings.allow_configured_database;
  options.connect.timeout = std::chrono::seconds(settings.connect_timeout);
  // The embedded server is ours, on 127.0.0.1 in any container: no service label to name.
  options.connect.container_action =
      !server.embedded() && pg::ConnectOptions::running_as_container_action();
  options.connect.log = log;
  options.log = log;
  // Registered before CREATE DATABASE, so that a signal arriving meanwhile cannot leak it.
  options.register_cleanup = [&sandbox](std::string what, std::function<void()> cleanup) {
    sandbox->drop_on_signal_ = process::CleanupGuard(std::move(what), std::move(cleanup));
  };
  Result<pg::ScratchDatabase> scratch = pg::ScratchDatabase::create(server.url(), options);
  if (!scratch) return scratch.error();
  sandbox->scratch_.emplace(std::move(*scratch));
  sandbox->description_ =
      fmt::format("database {} on {}", sandbox->scratch_->name(), server.description());
  sandbox->on_embedded_server_ = server.embedded();
  log("scratch " + sandbox->description_ + " created; it is dropped at the end");

  Result<pg::Connection> catalog =
      pg::connect_with_retry(sandbox->scratch_->params(), options.connect);
  if (!catalog) return catalog.error();
  sandbox->catalog_.emplace(std::move(*catalog));
  if (Status prepared = run_setup_sql(sandbox->scratch_->params(), options.connect, settings,
                                      sandbox->description_);
      !prepared)
    return prepared.error();

  alembic::WorkerOptions worker;
  worker.python = settings.python;
  worker.project_dir = project.working_directory;
  worker.config_file = project.config_file;
  worker.url = with_project_driver(sandbox->scratch_->python_url(), project.sqlalchemy_url);
  worker.url_env = settings.database_url_env;
  worker.step_timeout = std::chrono::seconds(settings.step_timeout);
  Result<alembic::Worker> started = alembic::Worker::start(worker, std::move(launched));
  if (!started) return started.error();
  sandbox->worker_.emplace(std::move(*started));
  const alembic::Versions& versions = sandbox->worker_->versions();
  log(fmt::format("python: {} (Python {}, Alembic {}, SQLAlchemy {})", versions.interpreter,
                  versions.python, versions.alembic, versions.sqlalchemy));
  return sandbox;
}

Workspace::Workspace(const config::Settings& settings, const project::Project& project, LogLine log)
    : settings_(settings), project_(project), log_(std::move(log)) {}

Workspace::~Workspace() = default;

Result<Server*> Workspace::server() {
  if (!server_) {
    Result<std::unique_ptr<Server>> obtained = Server::obtain(settings_);
    if (!obtained) return obtained.error();
    server_ = std::move(*obtained);
  }
  return server_.get();
}

Result<Sandbox*> Workspace::shared() {
  if (failure_) return *failure_;
  if (!shared_) {
    Result<std::unique_ptr<Sandbox>> opened = open_another();
    if (!opened) {
      failure_ = opened.error();
      return opened.error();
    }
    shared_ = std::move(*opened);
  }
  return shared_.get();
}

Result<Sandbox*> Workspace::renew_shared() {
  if (shared_) shared_->keep_turn();  // a run queued on the configured database waits on
  shared_.reset();  // its worker and database go first: one scratch database at a time
  return shared();
}

alembic::WorkerLaunch Workspace::launch_worker() const {
  return alembic::WorkerLaunch::begin(settings_.python, project_.working_directory);
}

Result<std::unique_ptr<Sandbox>> Workspace::open_another(
    const LogLine& log, std::optional<alembic::WorkerLaunch> launched) {
  // Python imports Alembic while the server starts and the scratch database is made.
  if (!launched) launched.emplace(launch_worker());
  Result<Server*> server = this->server();
  if (!server) return server.error();
  return Sandbox::open(**server, settings_, project_, log ? log : log_, std::move(launched));
}

}  // namespace ag::sandbox
