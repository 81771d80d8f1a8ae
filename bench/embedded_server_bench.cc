// Cold start (initdb + pg_ctl start -w) and stop (pg_ctl stop -m immediate + removing the folder)
// of the embedded throwaway PostgreSQL server, over several runs; prints min and median.
//
// usage: embedded_server_bench [RUNS]   (default 5)
// Exit code 3 when the server cannot be started (no PostgreSQL installed, ...).
#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "pg/embedded_server.h"
#include "process/interrupts.h"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

/// Proves the server answers, outside the timed part.
bool answers(const std::string& url) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(url.c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) return false;
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn.get(), "select 1"), &PQclear);
  return PQresultStatus(result.get()) == PGRES_TUPLES_OK;
}

void report(const char* what, std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  std::size_t n = samples.size();
  double median = n % 2 == 1 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
  std::printf("%-28s min %7.1f ms   median %7.1f ms   max %7.1f ms   (%zu runs)\n", what,
              samples.front(), median, samples.back(), n);
}

}  // namespace

int main(int argc, char** argv) {
  int runs = argc > 1 ? std::atoi(argv[1]) : 5;
  if (runs < 1) {
    std::fprintf(stderr, "usage: %s [RUNS]\n", argv[0]);
    return 2;
  }
  ag::process::install_interrupt_handlers();  // Ctrl-C mid-run leaves no server behind
  std::vector<double> starts;
  std::vector<double> stops;
  for (int i = 0; i < runs; ++i) {
    Clock::time_point start = Clock::now();
    ag::Result<ag::pg::EmbeddedServer> server = ag::pg::EmbeddedServer::start();
    if (!server) {
      std::fprintf(stderr, "embedded_server_bench: %s\n", server.error().describe().c_str());
      return 3;
    }
    starts.push_back(ms_since(start));
    if (!answers(server->url())) {
      std::fprintf(stderr, "embedded_server_bench: the server at %s does not answer\n",
                   server->url().c_str());
      return 3;
    }
    Clock::time_point stop = Clock::now();
    server->stop();
    stops.push_back(ms_since(stop));
  }
  report("cold start (initdb + start)", starts);
  report("stop + remove folder", stops);
  return 0;
}
