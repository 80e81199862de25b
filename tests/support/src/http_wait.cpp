#include <thread>

#include <httplib.h>

#include "ems/runtime/http_client.hpp"
#include "ems/testing/process.hpp"

namespace ems::testing {

bool wait_for_http_ok(const std::string& url, std::chrono::milliseconds timeout) {
  const auto [base, path] = ems::runtime::split_http_url(url);
  httplib::Client client(base);
  client.set_connection_timeout(std::chrono::milliseconds(500));
  client.set_read_timeout(std::chrono::seconds(2));
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (auto res = client.Get(path); res && res->status == 200) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace ems::testing
