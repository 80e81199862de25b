#include <stdexcept>

#include <mqtt/async_client.h>
#include <unistd.h>

#include "ems/contract/service_id.hpp"
#include "ems/runtime/backoff.hpp"
#include "ems/runtime/config.hpp"
#include "ems/runtime/log.hpp"
#include "ems/runtime/mqtt.hpp"
#include "ems/runtime/utc_time.hpp"
#include "mqtt_series.hpp"

namespace ems::runtime {

// ---- pure helpers ---------------------------------------------------------------------------

std::string to_paho_uri(std::string_view url) {
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) {
    throw std::invalid_argument("MQTT URL \"" + std::string(url) +
                                "\" has no scheme: expected mqtt://host:port");
  }
  const auto scheme = url.substr(0, sep);
  auto rest = url.substr(sep + 3);
  if (scheme == "ws" || scheme == "wss") return std::string(url);
  std::string paho_scheme;
  std::string default_port;
  if (scheme == "mqtt" || scheme == "tcp") {
    paho_scheme = "tcp";
    default_port = "1883";
  } else if (scheme == "mqtts" || scheme == "ssl") {
    paho_scheme = "ssl";
    default_port = "8883";
  } else {
    throw std::invalid_argument("MQTT URL \"" + std::string(url) +
                                "\" has an unsupported scheme: expected mqtt, mqtts, tcp, ssl, "
                                "ws or wss");
  }
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    rest = rest.substr(0, slash);
  }
  if (rest.empty() || rest.front() == ':') {
    throw std::invalid_argument("MQTT URL \"" + std::string(url) + "\" has no host");
  }
  // The port colon comes after an IPv6 literal's closing bracket, if any.
  const auto bracket = rest.rfind(']');
  const auto colon = rest.rfind(':');
  const bool has_port =
      colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket);
  return paho_scheme + "://" + std::string(rest) + (has_port ? "" : ":" + default_port);
}

bool topic_matches(std::string_view filter, std::string_view topic) {
  // A shared subscription "$share/<group>/<filter>" receives the topics of <filter>.
  if (filter.rfind("$share/", 0) == 0) {
    const auto group_end = filter.find('/', 7);
    if (group_end == std::string_view::npos) return false;
    filter.remove_prefix(group_end + 1);
  }
  // Wildcards never match topics starting with '$' at the first level (MQTT 4.7.2).
  if (!topic.empty() && topic.front() == '$' && !filter.empty() &&
      (filter.front() == '+' || filter.front() == '#')) {
    return false;
  }
  while (true) {
    const auto fslash = filter.find('/');
    const auto flevel = filter.substr(0, fslash);
    if (flevel == "#") return true;
    const auto tslash = topic.find('/');
    const auto tlevel = topic.substr(0, tslash);
    if (flevel != "+" && flevel != tlevel) return false;
    if (fslash == std::string_view::npos) return tslash == std::string_view::npos;
    if (tslash == std::string_view::npos) {
      // "a/#" also matches "a".
      return filter.substr(fslash + 1) == "#";
    }
    filter.remove_prefix(fslash + 1);
    topic.remove_prefix(tslash + 1);
  }
}

std::string service_status_payload(std::string_view value) {
  return R"({"ts":")" + utc_now_ms() + R"(","value":")" + std::string(value) + R"("})";
}

MqttOptions MqttOptions::from_env(std::string service_id) {
  MqttOptions o;
  o.url = env_string("EMS_MQTT_URL", o.url);
  o.username = env_string("EMS_MQTT_USERNAME", "");
  o.password = env_string("EMS_MQTT_PASSWORD", "");
  o.client_id = env_string("EMS_MQTT_CLIENT_ID", "");
  o.service_id = std::move(service_id);
  return o;
}

// ---- Paho callback adapter ------------------------------------------------------------------

class MqttClient::Callback : public mqtt::callback {
 public:
  explicit Callback(MqttClient& owner) : owner_(owner) {}
  void connected(const std::string&) override { owner_.handle_connected(); }
  void connection_lost(const std::string& cause) override {
    log::warn("mqtt connection lost", {{"client", owner_.options_.client_id}, {"cause", cause}});
    owner_.handle_connection_lost();
  }
  void message_arrived(mqtt::const_message_ptr msg) override {
    owner_.handle_message(
        MqttMessage{msg->get_topic(), msg->to_string(), msg->get_qos(), msg->is_retained()});
  }

 private:
  MqttClient& owner_;
};

// ---- client ---------------------------------------------------------------------------------

namespace {

MqttOptions completed(MqttOptions o) {
  // The contract's own rule (CONTRACT.md section 2), so the status topic and the last will this
  // client publishes always parse as services/{service_id}/status.
  if (!contract::is_service_id(o.service_id)) {
    throw std::invalid_argument("MQTT service_id \"" + o.service_id + "\" is not a service id (" +
                                std::string(contract::kServiceIdRule) +
                                ", e.g. device-api or gateway-1-of-2)");
  }
  if (o.client_id.empty()) o.client_id = o.service_id + "-" + std::to_string(::getpid());
  return o;
}

}  // namespace

MqttClient::MqttClient(MqttOptions options, metrics::Registry& registry)
    : options_(completed(std::move(options))),
      status_topic_("services/" + options_.service_id + "/status"),
      published_(detail::mqtt_published(registry, options_.client_id)),
      dropped_(detail::mqtt_dropped(registry, options_.client_id)),
      received_(
          registry.counter("ems_mqtt_messages_received_total", "MQTT messages received", {"client"})
              .with({options_.client_id})),
      connects_(detail::mqtt_connects(registry, options_.client_id)),
      connected_gauge_(detail::mqtt_connected(registry, options_.client_id)) {
  const auto uri = to_paho_uri(options_.url);
  mqtt::create_options create(MQTTVERSION_3_1_1);
  // Buffer while disconnected - also before the first connect - so publishers never block and
  // a broker restart loses nothing up to the limit; beyond it publish() drops and counts.
  create.set_send_while_disconnected(true, true);
  create.set_max_buffered_messages(options_.max_buffered_messages);
  client_ = std::make_unique<mqtt::async_client>(uri, options_.client_id, create, nullptr);
  callback_ = std::make_unique<Callback>(*this);
  client_->set_callback(*callback_);
}

MqttClient::~MqttClient() {
  stop();
  // The Paho client calls into callback_; destroy it first.
  client_.reset();
  callback_.reset();
}

void MqttClient::start() {
  std::lock_guard lock(mutex_);
  if (started_ || stopping_) return;
  started_ = true;
  need_connect_ = true;
  supervisor_ = std::thread([this] { supervise(); });
}

void MqttClient::supervise() {
  Backoff backoff(options_.min_reconnect_delay, options_.max_reconnect_delay);
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (!need_connect_) {
      wake_.wait(lock, [&] { return stopping_ || need_connect_; });
      continue;
    }
    const auto losses_before = losses_;
    lock.unlock();
    const bool ok = try_connect();
    lock.lock();
    if (ok) {
      backoff.reset();
      // A loss reported while we were not holding the lock means this session is already gone.
      if (losses_ == losses_before) need_connect_ = false;
      continue;
    }
    const auto delay = backoff.next();
    log::info("mqtt reconnect scheduled",
              {{"client", options_.client_id}, {"retry_in_ms", delay.count()}});
    wake_.wait_for(lock, delay, [&] { return stopping_; });
  }
}

bool MqttClient::try_connect() {
  mqtt::connect_options opts;
  opts.set_mqtt_version(MQTTVERSION_3_1_1);
  opts.set_clean_session(options_.clean_session);
  opts.set_keep_alive_interval(options_.keep_alive);
  opts.set_connect_timeout(std::chrono::duration_cast<std::chrono::seconds>(
      std::max(options_.connect_timeout, std::chrono::milliseconds(1000))));
  opts.set_automatic_reconnect(false);  // supervise() owns reconnecting, first connect included
  opts.set_max_inflight(options_.max_inflight);
  opts.set_will(mqtt::will_options(status_topic_, service_status_payload("OFFLINE"), 1, true));
  if (!options_.username.empty()) opts.set_user_name(options_.username);
  if (!options_.password.empty()) opts.set_password(options_.password);
  try {
    auto token = client_->connect(opts);
    if (!token->wait_for(options_.connect_timeout + std::chrono::milliseconds(1000))) {
      log::warn("mqtt connect timed out", {{"client", options_.client_id}, {"url", options_.url}});
      return false;
    }
    return true;
  } catch (const std::exception& e) {
    log::warn("mqtt connect failed",
              {{"client", options_.client_id}, {"url", options_.url}, {"error", e.what()}});
    return false;
  }
}

void MqttClient::handle_connected() {
  std::vector<Subscription> subscriptions;
  std::vector<std::function<void()>> hooks;
  {
    std::lock_guard lock(mutex_);
    subscriptions = subscriptions_;
    hooks = connected_hooks_;
  }
  connects_.inc();
  log::info("mqtt connected", {{"client", options_.client_id}, {"url", options_.url}});
  publish(status_topic_, service_status_payload("ONLINE"), 1, true);
  for (const auto& s : subscriptions) {
    try {
      client_->subscribe(s.filter, s.qos);
    } catch (const std::exception& e) {
      log::error("mqtt subscribe failed", {{"filter", s.filter}, {"error", e.what()}});
    }
  }
  for (const auto& hook : hooks) {
    try {
      hook();
    } catch (const std::exception& e) {
      log::error("mqtt on_connected hook failed", {{"error", e.what()}});
    }
  }
  // Connected (for is_connected()/wait_connected()) only once ONLINE, the subscriptions and the
  // hooks are through, so a caller woken here sees a fully set-up session.
  {
    std::lock_guard lock(mutex_);
    connected_.store(true);
  }
  connected_gauge_.set(1);
  wake_.notify_all();
}

void MqttClient::handle_connection_lost() {
  {
    std::lock_guard lock(mutex_);
    connected_.store(false);
    need_connect_ = true;
    ++losses_;
  }
  connected_gauge_.set(0);
  wake_.notify_all();
}

void MqttClient::handle_message(MqttMessage message) {
  received_.inc();
  std::vector<MessageCallback> targets;
  {
    std::lock_guard lock(mutex_);
    for (const auto& s : subscriptions_) {
      if (topic_matches(s.filter, message.topic)) targets.push_back(s.callback);
    }
  }
  for (const auto& callback : targets) {
    try {
      callback(message);
    } catch (const std::exception& e) {
      log::error("mqtt message handler failed", {{"topic", message.topic}, {"error", e.what()}});
    }
  }
}

bool MqttClient::publish(const std::string& topic, const std::string& payload, int qos,
                         bool retain) {
  if (stopping_flag_.load()) {
    dropped_.inc();
    return false;
  }
  try {
    client_->publish(mqtt::make_message(topic, payload, qos, retain));
    published_.inc();
    return true;
  } catch (const std::exception& e) {
    dropped_.inc();
    log::debug("mqtt publish dropped", {{"topic", topic}, {"error", e.what()}});
    return false;
  }
}

bool MqttClient::publish_confirmed(const std::string& topic, const std::string& payload, int qos,
                                   bool retain, std::chrono::milliseconds timeout) {
  // Only while connected: a message left in Paho's offline buffer would go out after the next
  // connect besides the caller's retry.
  if (stopping_flag_.load() || !connected_.load()) return false;
  try {
    auto token = client_->publish(mqtt::make_message(topic, payload, qos, retain));
    published_.inc();
    // Throws when Paho reports the delivery failed (e.g. the connection was lost in flight).
    return token->wait_for(timeout);
  } catch (const std::exception& e) {
    log::debug("mqtt confirmed publish not acknowledged", {{"topic", topic}, {"error", e.what()}});
    return false;
  }
}

void MqttClient::subscribe(const std::string& filter, int qos, MessageCallback callback) {
  {
    std::lock_guard lock(mutex_);
    subscriptions_.push_back({filter, qos, std::move(callback)});
  }
  // Paho's own state, not connected_: a hook subscribing during handle_connected() must not miss
  // the session (a duplicate SUBSCRIBE just replaces the first). Asked outside mutex_: Paho
  // holds its own lock while calling handle_connected(), which takes mutex_.
  if (client_->is_connected()) {
    try {
      client_->subscribe(filter, qos);
    } catch (const std::exception& e) {
      // Not fatal: the next (re)connect subscribes again.
      log::warn("mqtt subscribe failed", {{"filter", filter}, {"error", e.what()}});
    }
  }
}

void MqttClient::on_connected(std::function<void()> hook) {
  std::lock_guard lock(mutex_);
  connected_hooks_.push_back(std::move(hook));
}

bool MqttClient::wait_connected(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return wake_.wait_for(lock, timeout, [&] { return connected_.load() || stopping_; }) &&
         connected_.load();
}

void MqttClient::stop(std::chrono::milliseconds timeout) {
  {
    std::lock_guard lock(mutex_);
    if (!started_ || stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (supervisor_.joinable()) supervisor_.join();
  try {
    if (client_->is_connected()) {
      // A clean disconnect does not fire the will, so say OFFLINE ourselves.
      auto token = client_->publish(
          mqtt::make_message(status_topic_, service_status_payload("OFFLINE"), 1, true));
      token->wait_for(timeout);
    }
    stopping_flag_.store(true);
    client_->disconnect(static_cast<int>(timeout.count()))->wait_for(timeout);
  } catch (const std::exception& e) {
    log::warn("mqtt disconnect failed", {{"client", options_.client_id}, {"error", e.what()}});
  }
  stopping_flag_.store(true);
  connected_.store(false);
  connected_gauge_.set(0);
  log::info("mqtt stopped", {{"client", options_.client_id}});
}

}  // namespace ems::runtime
