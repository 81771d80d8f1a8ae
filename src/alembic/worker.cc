#include "alembic/worker.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <span>
#include <string_view>

#include "alembic/wire.h"

namespace ag::alembic {

// The worker (src/alembic/worker/, the ag_worker package), embedded by cmake/embed.cmake: the
// text `python -c` runs, and the package's modules as name, text, name, text, ...
extern const std::string_view kWorkerBootstrap;
extern const std::span<const std::string_view> kWorkerModules;

namespace {

using nlohmann::json;
using std::chrono::seconds;

constexpr seconds kStartTimeout{120};  // importing SQLAlchemy and the project can be slow
constexpr seconds kExitGrace{5};

constexpr std::string_view kInstallHint =
    "install them for that interpreter (Debian/Ubuntu: apt-get install python3-alembic "
    "python3-sqlalchemy python3-psycopg2; or pip install alembic sqlalchemy psycopg2-binary), "
    "or name another interpreter with the `python` setting";

std::string text_of(const json& value) {
  return value.is_string() ? value.get<std::string>() : "";
}

std::vector<std::string> strings_of(const json& value) {
  std::vector<std::string> out;
  for (const json& item : value) out.push_back(item.get<std::string>());
  return out;
}

/// The worker's description of a Python exception, as an Error at its file and line.
Error python_error(const json& error) {
  std::string message = text_of(error["type"]) + ": " + text_of(error["message"]);
  if (error.contains("sqlstate") && error["sqlstate"].is_string()) {
    message += " (SQLSTATE " + error["sqlstate"].get<std::string>() + ")";
  }
  int line = error.contains("line") && error["line"].is_number() ? error["line"].get<int>() : 0;
  return Error{message, text_of(error.value("file", json())), line,
               text_of(error.value("traceback", json())), text_of(error["type"])};
}

/// A row of query results: text or null per cell.
Row row_of(const json& row) {
  Row cells;
  for (const json& cell : row)
    cells.push_back(cell.is_null() ? std::nullopt : std::optional(cell.get<std::string>()));
  return cells;
}

std::optional<std::string> optional_text(const json& value) {
  if (value.is_boolean()) return value.get<bool>() ? "nullable" : "not null";  // modify_nullable
  if (value.is_null()) return std::nullopt;
  return value.is_string() ? value.get<std::string>() : value.dump();
}

std::optional<Error> python_error_in(const json& body, const char* field) {
  const json& error = body.value(field, json());
  if (!error.is_object()) return std::nullopt;
  return python_error(error);
}

/// The offline requests' `statements`.
std::vector<EmittedSql> emitted_sql_of(const json& statements) {
  std::vector<EmittedSql> out;
  for (const json& item : statements) {
    std::string origin = text_of(item["origin"]);
    out.push_back({text_of(item["sql"]), text_of(item["revision"]),
                   origin == "revision" ? SqlOrigin::revision
                   : origin == "env"    ? SqlOrigin::env
                                        : SqlOrigin::alembic,
                   item["line"].is_number() ? item["line"].get<int>() : 0,
                   strings_of(item.value("refused_identifiers", json::array()))});
  }
  return out;
}

std::optional<CatalogRows> catalog_rows_in(const json& body, const char* field) {
  const json& reading = body.value(field, json());
  if (!reading.is_object()) return std::nullopt;
  CatalogRows rows{.whole = reading.value("whole", false), .rows = {}};
  for (const json& row : reading["rows"]) rows.rows.push_back(row_of(row));
  return rows;
}

TripState trip_state_of(const std::string& state) {
  if (state == "reupgraded") return TripState::reupgraded;
  return state == "unknown" ? TripState::unknown : TripState::exact;
}

SourcePlace place_of(const json& pair) {  // [file, line]
  return {text_of(pair[0]), pair[1].get<int>()};
}

std::map<std::string, SourcePlace> places_of(const json& object) {
  std::map<std::string, SourcePlace> places;
  for (const auto& [name, pair] : object.items()) places[name] = place_of(pair);
  return places;
}

ModelDifference difference_of(const json& item) {
  return {text_of(item["op"]),
          text_of(item.value("schema", json())),
          text_of(item.value("table", json())),
          text_of(item.value("name", json())),
          strings_of(item.value("columns", json::array())),
          text_of(item.value("kind", json())),
          optional_text(item.value("from", json())),
          optional_text(item.value("to", json())),
          text_of(item.value("referred_table", json())),
          strings_of(item.value("referred_columns", json::array())),
          text_of(item.value("text", json()))};
}

/// The reply to "drift" (worker/worker.py, Worker.drift).
ModelComparison comparison_of(const json& body) {
  ModelComparison comparison;
  for (const json& run : body["runs"]) {
    comparison.databases.push_back({strings_of(run["current"]), run["up_to_date"].get<bool>(),
                                    run["metadata"].get<bool>(), text_of(run["version_table"]),
                                    run["include_schemas"].get<bool>(),
                                    text_of(run["default_schema"])});
  }
  for (const json& item : body["diffs"]) comparison.differences.push_back(difference_of(item));
  for (const json& item : body["excluded"]) {
    comparison.excluded.push_back({text_of(item["type"]), text_of(item["schema"]),
                                   text_of(item["table"]), text_of(item["name"])});
  }
  if (body["types"].is_array()) {
    std::vector<ModelType>& types = comparison.types.emplace();
    for (const json& item : body["types"]) {
      types.push_back({text_of(item["schema"]), text_of(item["name"]),
                       text_of(item["table_schema"]), text_of(item["table"]),
                       text_of(item["column"])});
    }
  }
  if (body.value("types_error", json()).is_object())
    comparison.types_error = python_error(body["types_error"]);
  for (const json& model : body["models"]) {
    comparison.models.push_back({text_of(model["schema"]),
                                 text_of(model["table"]),
                                 {text_of(model["file"]), model["line"].get<int>()},
                                 places_of(model["columns"]),
                                 places_of(model["objects"])});
  }
  comparison.env_py = text_of(body["env_py"]);
  comparison.metadata_line = body["metadata_line"].get<int>();
  return comparison;
}

bool is_missing_module(const Error& error) {
  return error.message.starts_with("ModuleNotFoundError:") ||
         error.message.starts_with("ImportError:");
}

/// Whether the worker, and so env.py and every migration, must not see the variable `name`: the
/// action's inputs (database-url names the configured database, password included) and the
/// runner's tokens. What env.py needs of the database it finds in database-url-env.
bool withheld_from_worker(std::string_view name) {
  return name.starts_with("INPUT_") || name == "ACTIONS_RUNTIME_TOKEN" ||
         name == "ACTIONS_ID_TOKEN_REQUEST_TOKEN" || name == "ACTIONS_ID_TOKEN_REQUEST_URL";
}

Result<process::Subprocess> spawn_worker(const std::string& interpreter,
                                         const std::filesystem::path& project_dir) {
  process::Options spawn_options;
  spawn_options.cwd = project_dir;
  spawn_options.stdin_stream = process::Stream::pipe;
  for (char** variable = environ; *variable != nullptr; ++variable) {
    std::string_view entry(*variable);
    std::string_view name = entry.substr(0, entry.find('='));
    if (withheld_from_worker(name)) spawn_options.env[std::string(name)] = std::nullopt;
  }
  spawn_options.env["PYTHONDONTWRITEBYTECODE"] = "1";  // leave no __pycache__ in the project
  spawn_options.env["PYTHONUNBUFFERED"] = "1";
  // Each module is an argv element of its own, below Linux's 128 KiB per element; the bootstrap
  // takes them out of sys.argv and serves them from memory.
  std::vector<std::string> argv{interpreter, "-c", std::string(kWorkerBootstrap)};
  argv.insert(argv.end(), kWorkerModules.begin(), kWorkerModules.end());
  return process::Subprocess::spawn(argv, spawn_options);
}

}  // namespace

bool is_alembic_incompatibility(const Error& error) {
  return error.kind == "AlembicIncompatible";
}

bool is_connection_lost(const Error& error) {
  // The server's side only: a connection the migration closed itself is its own bug.
  static constexpr std::string_view kSigns[] = {
      "(SQLSTATE 57P01)",
      "(SQLSTATE 57P02)",
      "(SQLSTATE 57P03)",
      "(SQLSTATE 08006)",
      "server closed the connection unexpectedly",  // libpq: psycopg2, psycopg
      "terminating connection due to administrator command",
      "connection was closed in the middle of operation"  // asyncpg
  };
  return std::any_of(std::begin(kSigns), std::end(kSigns), [&](std::string_view sign) {
    return error.message.find(sign) != std::string::npos;
  });
}

std::vector<std::string> interpreter_candidates(const std::string& configured) {
  if (!configured.empty()) return {configured};
  return {"python3", "/usr/bin/python3"};
}

struct Worker::Reply {
  json body;
};

Worker::Worker(process::Subprocess child, seconds step_timeout)
    : child_(std::move(child)), step_timeout_(step_timeout) {}

Worker::Worker(Worker&& other) noexcept
    : child_(std::move(other.child_)),
      step_timeout_(other.step_timeout_),
      versions_(std::move(other.versions_)),
      alive_(std::exchange(other.alive_, false)),
      timed_out_(other.timed_out_) {}

Worker::~Worker() {
  if (!alive_) return;
  auto deadline = process::deadline_after(kExitGrace);
  // What its migrations started goes with it.
  if (child_.write("{\"op\": \"exit\"}\n", deadline) && child_.wait_and_end_group(deadline)) return;
  child_.terminate(std::chrono::milliseconds(2000));
}

WorkerLaunch WorkerLaunch::begin(const std::string& python,
                                 const std::filesystem::path& project_dir) {
  std::string interpreter = interpreter_candidates(python).front();
  Result<process::Subprocess> child = spawn_worker(interpreter, project_dir);
  return WorkerLaunch(std::move(interpreter), project_dir, std::move(child));
}

Result<Worker> Worker::start(const WorkerOptions& options, std::optional<WorkerLaunch> launched) {
  json start = {{"op", "start"},
                {"project", options.project_dir.string()},
                {"config", options.config_file.string()},
                {"url", options.url},
                {"url_env", options.url_env}};
  std::vector<std::string> tried;
  for (const std::string& interpreter : interpreter_candidates(options.python)) {
    bool use_launched = launched && launched->interpreter_ == interpreter &&
                        launched->project_dir_ == options.project_dir;
    Result<process::Subprocess> child =
        use_launched ? std::move(launched->child_) : spawn_worker(interpreter, options.project_dir);
    launched.reset();  // only ever the first candidate
    if (!child) {
      tried.push_back(fmt::format("{}: {}", interpreter, child.error().message));
      continue;
    }
    Worker worker(std::move(*child), options.step_timeout);
    // The bootstrap's first line comes at once from any Python; what says nothing is no Python.
    Result<Reply> reply = worker.receive(
        ok(), process::deadline_after(options.hello_timeout), options.hello_timeout,
        fmt::format("waiting for {} to start the worker (is it a Python 3 interpreter?)",
                    interpreter));
    if (reply)
      reply =
          worker.request(encode_line(start), kStartTimeout, "loading the Alembic configuration");
    // An interpreter that lacks Alembic, or cannot run the worker at all (a Python 2 named
    // python3 ends at once), is no reason to give up: the next one may do.
    bool ended = !worker.alive_ && !worker.timed_out_;
    if (!reply && (ended || is_missing_module(reply.error()))) {
      tried.push_back(fmt::format("{}: {}", interpreter, reply.error().message));
      continue;
    }
    if (!reply) return reply.error();
    const json& body = reply->body;
    worker.versions_ = {text_of(body["python"]), text_of(body["alembic"]),
                        text_of(body["sqlalchemy"]), interpreter};
    return worker;
  }
  std::string joined;
  for (const std::string& attempt : tried) joined += (joined.empty() ? "" : "; ") + attempt;
  return Error{fmt::format("no Python interpreter that can import Alembic and SQLAlchemy ({}); {}",
                           joined, kInstallHint)};
}

Result<Worker::Reply> Worker::request(const std::string& line, seconds timeout,
                                      std::string_view doing) {
  if (!alive_) return Error{fmt::format("the Python worker is no longer running ({})", doing)};
  process::Deadline deadline = process::deadline_after(timeout);
  return receive(child_.write(line + "\n", deadline), deadline, timeout, doing);
}

Result<Worker::Reply> Worker::receive(const Status& written, process::Deadline deadline,
                                      seconds timeout, std::string_view doing) {
  Result<std::optional<std::string>> answer =
      written ? child_.read_line(deadline) : Result<std::optional<std::string>>(written.error());
  if (!answer || !*answer) {
    bool timed_out = process::Clock::now() >= deadline;
    alive_ = false;
    process::ExitStatus status = child_.terminate(std::chrono::milliseconds(2000));
    std::string log = take_log();
    if (timed_out) {
      timed_out_ = true;
      return Error{fmt::format("timed out after {} s while {}; the worker was stopped",
                               timeout.count(), doing),
                   "", 0, log};
    }
    return Error{fmt::format("the Python worker ended ({}) while {}", status.describe(), doing), "",
                 0, log};
  }
  json body;
  try {
    body = decode_line(**answer);
  } catch (const json::exception& e) {
    return Error{
        fmt::format("unreadable reply from the Python worker while {}: {}", doing, e.what())};
  }
  if (!body.value("ok", false)) return python_error(body["error"]);
  return Reply{std::move(body)};
}

Result<std::vector<RevisionInfo>> Worker::revisions() {
  Result<Reply> reply = request(R"({"op": "revisions"})", kStartTimeout, "listing the revisions");
  if (!reply) return reply.error();
  std::vector<RevisionInfo> revisions;
  for (const json& item : reply->body["revisions"]) {
    revisions.push_back({text_of(item["id"]), strings_of(item["down"]),
                         strings_of(item["depends_on"]), text_of(item["path"]),
                         text_of(item["doc"])});
  }
  return revisions;
}

Result<std::vector<std::string>> Worker::open() {
  Result<Reply> reply = request(R"({"op": "open"})", step_timeout_, "running env.py");
  if (!reply) return reply.error();
  return strings_of(reply->body["heads"]);
}

Result<StepDone> Worker::step(const std::string& revision, Direction direction, bool stamp,
                              int timeouts) {
  json message = {{"op", "step"},
                  {"revision", revision},
                  {"direction", direction == Direction::up ? "up" : "down"},
                  {"stamp", stamp}};
  std::string doing =
      fmt::format("{} {}", direction == Direction::up ? "upgrading to" : "downgrading", revision);
  Result<Reply> reply = request(encode_line(message), timeouts * step_timeout_, doing);
  if (!reply) return reply.error();
  return StepDone{reply->body.value("seconds", 0.0)};
}

Result<RoundTripDone> Worker::roundtrip(const RoundTripRequest& trip) {
  json message = {
      {"op", "roundtrip"},      {"revision", trip.revision},       {"stamp", trip.stamp},
      {"trio", trip.trio},      {"read_before", trip.read_before}, {"define", trip.define},
      {"capture", trip.capture}};
  // Up to three migrations run in it, each allowed step_timeout.
  Result<Reply> reply =
      request(encode_line(message), trip.trio ? kTrioTimeouts * step_timeout_ : step_timeout_,
              fmt::format("upgrading to {} and back", trip.revision));
  if (!reply) return reply.error();
  const json& body = reply->body;
  RoundTripDone done{.up_seconds = body.value("up_seconds", 0.0),
                     .down_seconds = body.value("down_seconds", 0.0),
                     .down_error = python_error_in(body, "down_error"),
                     .reup_error = python_error_in(body, "reup_error"),
                     .before = catalog_rows_in(body, "before"),
                     .after_down = catalog_rows_in(body, "after_down"),
                     .after = catalog_rows_in(body, "after"),
                     .state = trip_state_of(body.value("state", "exact"))};
  for (const json& item : body.value("ran", json::array())) {
    bool marker = item["line"].is_null();  // autocommit_block()'s COMMIT or BEGIN
    done.ran.push_back({.sql = text_of(item["sql"]),
                        .revision = trip.revision,
                        .origin = marker ? SqlOrigin::alembic : SqlOrigin::revision,
                        .line = marker ? 0 : item["line"].get<int>()});
  }
  return done;
}

Result<std::vector<std::string>> Worker::current() {
  Result<Reply> reply =
      request(R"({"op": "current"})", step_timeout_, "reading the current revisions");
  if (!reply) return reply.error();
  return strings_of(reply->body["heads"]);
}

Result<Rows> Worker::query(const std::string& sql) {
  Result<Reply> reply = request(encode_line(json{{"op", "query"}, {"sql", sql}}), step_timeout_,
                                "querying the catalog");
  if (!reply) return reply.error();
  Rows rows{strings_of(reply->body["columns"]), {}};
  for (const json& row : reply->body["rows"]) rows.rows.push_back(row_of(row));
  return rows;
}

Result<OfflineSql> Worker::offline_sql(const std::vector<std::string>& revisions) {
  Result<Reply> reply = request(encode_line(json{{"op", "offline"}, {"revisions", revisions}}),
                                step_timeout_, "running env.py offline");
  if (!reply) return reply.error();
  const json& table = reply->body.value("version_table", json::object());
  OfflineSql out{emitted_sql_of(reply->body["statements"]),
                 {},
                 {text_of(table.value("name", json("alembic_version"))),
                  table.value("schema", json()).is_string() ? text_of(table["schema"]) : ""}};
  for (const json& item : reply->body["failures"]) {
    out.failures.push_back({text_of(item["revision"]), python_error(item["error"]),
                            item.value("at", out.statements.size())});
  }
  return out;
}

Result<std::vector<OfflineDowngrade>> Worker::offline_downgrades(
    const std::vector<std::string>& revisions) {
  // Each revision is an env.py run of its own: the request may take the time of that many.
  Result<Reply> reply =
      request(encode_line(json{{"op", "offline_downgrades"}, {"revisions", revisions}}),
              step_timeout_ * static_cast<int>(std::max<size_t>(1, revisions.size())),
              "running env.py offline for the downgrades");
  if (!reply) return reply.error();
  std::vector<OfflineDowngrade> out;
  for (const json& item : reply->body["downgrades"]) {
    out.push_back({text_of(item["revision"]), emitted_sql_of(item["statements"]),
                   python_error_in(item, "failure")});
  }
  return out;
}

Status Worker::close() {
  Result<Reply> reply = request(R"({"op": "close"})", step_timeout_, "finishing env.py");
  if (!reply) return reply.error();
  return ok();
}

Status Worker::upgrade_to_heads(const std::vector<std::string>& stamp, seconds timeout) {
  Result<Reply> reply = request(encode_line(json{{"op", "upgrade"}, {"stamp", stamp}}), timeout,
                                "upgrading to the heads");
  if (!reply) return reply.error();
  return ok();
}

Result<ModelComparison> Worker::compare_models(bool created_types) {
  Result<Reply> reply = request(encode_line(json{{"op", "drift"}, {"types", created_types}}),
                                step_timeout_, "comparing the models with the database");
  if (!reply) return reply.error();
  try {
    return comparison_of(reply->body);
  } catch (const json::exception& e) {
    return Error{fmt::format("unreadable comparison from the Python worker: {}", e.what())};
  }
}

Status Worker::create_models() {
  Result<Reply> reply =
      request(R"({"op": "create_all"})", step_timeout_, "creating the models' schema");
  if (!reply) return reply.error();
  return ok();
}

std::string Worker::take_log() {
  return child_.take_stderr();
}

}  // namespace ag::alembic
