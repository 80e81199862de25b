#include "spool.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fcntl.h>
#include <unistd.h>

#include "ems/runtime/log.hpp"

namespace ems::historian {
namespace {

namespace fs = std::filesystem;
constexpr std::size_t kHeader = kSpoolFrameHeader;

std::uint32_t fnv1a(std::string_view a, std::string_view b) {
  std::uint32_t h = 2166136261u;
  for (unsigned char c : a) h = (h ^ c) * 16777619u;
  for (unsigned char c : b) h = (h ^ c) * 16777619u;
  return h;
}

void put_u32(char* out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

std::uint32_t get_u32(const char* in) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])) << (8 * i);
  return v;
}

}  // namespace

std::string encode_spool_frame(std::string_view topic, std::string_view payload) {
  std::string frame(kHeader + topic.size() + payload.size(), '\0');
  put_u32(frame.data(), static_cast<std::uint32_t>(topic.size()));
  put_u32(frame.data() + 4, static_cast<std::uint32_t>(payload.size()));
  put_u32(frame.data() + 8, fnv1a(topic, payload));
  std::memcpy(frame.data() + kHeader, topic.data(), topic.size());
  std::memcpy(frame.data() + kHeader + topic.size(), payload.data(), payload.size());
  return frame;
}

SpoolFrameView decode_spool_frame(std::string_view bytes) {
  SpoolFrameView view;
  if (bytes.size() < kHeader) return view;
  const auto topic_len = get_u32(bytes.data());
  const auto payload_len = get_u32(bytes.data() + 4);
  if (topic_len > kSpoolMaxTopic || payload_len > kSpoolMaxPayload) {
    view.status = SpoolFrameStatus::corrupt;
    return view;
  }
  view.size = std::uint64_t{kHeader} + topic_len + payload_len;
  if (bytes.size() < view.size) return view;
  const auto topic = bytes.substr(kHeader, topic_len);
  const auto payload = bytes.substr(kHeader + topic_len, payload_len);
  if (fnv1a(topic, payload) != get_u32(bytes.data() + 8)) {
    view.status = SpoolFrameStatus::corrupt;
    return view;
  }
  view.status = SpoolFrameStatus::ok;
  view.topic = topic;
  view.payload = payload;
  return view;
}

Spool::Spool(std::string dir, std::uint64_t segment_bytes, std::uint64_t max_bytes)
    : dir_(std::move(dir)), segment_bytes_(segment_bytes), max_bytes_(max_bytes) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec)
    throw std::runtime_error("cannot create the spool directory " + dir_ + ": " + ec.message());
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const auto name = entry.path().filename().string();
    if (name.size() != 22 || name.substr(16) != ".spool") continue;
    try {
      segments_.push_back(std::stoull(name.substr(0, 16)));
      held_bytes_ += entry.file_size();
    } catch (const std::exception&) {
    }
  }
  if (ec) throw std::runtime_error("cannot read the spool directory " + dir_ + ": " + ec.message());
  std::sort(segments_.begin(), segments_.end());
  std::lock_guard lock(mutex_);
  open_segment(segments_.empty() ? 1 : segments_.back() + 1);
}

Spool::~Spool() {
  if (fd_ >= 0) {
    ::fdatasync(fd_);
    ::close(fd_);
  }
}

std::string Spool::path_of(std::uint64_t segment) const {
  char name[32];
  std::snprintf(name, sizeof name, "%016llu.spool", static_cast<unsigned long long>(segment));
  return dir_ + "/" + name;
}

void Spool::open_segment(std::uint64_t segment) {
  if (fd_ >= 0) {
    ::fdatasync(fd_);
    ::close(fd_);
    held_bytes_ += offset_;
  }
  const auto path = path_of(segment);
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0)
    throw std::runtime_error("cannot open spool segment " + path + ": " + std::strerror(errno));
  segments_.push_back(segment);
  offset_ = 0;
  // The new file's directory entry must survive a machine crash too.
  const int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

SpoolPosition Spool::begin() const {
  std::lock_guard lock(mutex_);
  return SpoolPosition{segments_.front(), 0};
}

SpoolPosition Spool::end() const {
  std::lock_guard lock(mutex_);
  return SpoolPosition{segments_.back(), offset_};
}

std::optional<SpoolPosition> Spool::append(std::string_view topic, std::string_view payload) {
  const std::string frame = encode_spool_frame(topic, payload);

  std::lock_guard lock(mutex_);
  if (held_bytes_ + offset_ + frame.size() > max_bytes_) return std::nullopt;
  if (offset_ > 0 && offset_ + frame.size() > segment_bytes_) {
    try {
      open_segment(segments_.back() + 1);
    } catch (const std::exception& e) {
      runtime::log::error("spool rotation failed", {{"error", e.what()}});
      return std::nullopt;
    }
  }
  std::size_t done = 0;
  while (done < frame.size()) {
    const auto n = ::write(fd_, frame.data() + done, frame.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      runtime::log::error("spool write failed", {{"error", std::strerror(errno)}});
      // Cut the partial frame so readers never see it.
      if (::ftruncate(fd_, static_cast<off_t>(offset_)) != 0) {
        runtime::log::error("spool truncate failed", {{"error", std::strerror(errno)}});
      }
      return std::nullopt;
    }
    done += static_cast<std::size_t>(n);
  }
  offset_ += frame.size();
  dirty_ = true;
  return SpoolPosition{segments_.back(), offset_};
}

void Spool::sync() {
  int fd = -1;
  {
    std::lock_guard lock(mutex_);
    if (!dirty_) return;
    dirty_ = false;
    fd = ::dup(fd_);
  }
  if (fd >= 0) {
    ::fdatasync(fd);
    ::close(fd);
  }
}

std::vector<SpoolFrame> Spool::read(SpoolPosition from, std::size_t max) const {
  std::vector<std::uint64_t> segments;
  SpoolPosition stop;
  {
    std::lock_guard lock(mutex_);
    segments = segments_;
    stop = SpoolPosition{segments_.back(), offset_};
  }
  std::vector<SpoolFrame> out;
  for (auto segment : segments) {
    if (segment < from.segment) continue;
    std::uint64_t offset = segment == from.segment ? from.offset : 0;
    const std::uint64_t limit = segment == stop.segment ? stop.offset : UINT64_MAX;
    std::ifstream in(path_of(segment), std::ios::binary);
    if (!in) continue;
    in.seekg(static_cast<std::streamoff>(offset));
    std::string buf;
    while (out.size() < max && offset + kHeader <= limit) {
      buf.resize(kHeader);
      if (!in.read(buf.data(), kHeader)) break;
      auto view = decode_spool_frame(buf);
      if (view.status == SpoolFrameStatus::incomplete) {
        if (offset + view.size > limit) break;
        buf.resize(static_cast<std::size_t>(view.size));
        if (!in.read(buf.data() + kHeader, static_cast<std::streamsize>(view.size - kHeader)))
          break;
        view = decode_spool_frame(buf);
      }
      if (view.status != SpoolFrameStatus::ok) {
        runtime::log::warn("spool frame corrupt, rest of segment skipped",
                           {{"segment", segment}, {"offset", offset}});
        break;
      }
      offset += view.size;
      out.push_back(SpoolFrame{std::string(view.topic), std::string(view.payload),
                               SpoolPosition{segment, offset}});
    }
    if (out.size() >= max || segment == stop.segment) break;
    // A finished older segment: the next read starts at the following one.
    if (!out.empty()) out.back().end = SpoolPosition{segment + 1, 0};
  }
  return out;
}

void Spool::release_before(SpoolPosition committed) {
  std::vector<std::uint64_t> doomed;
  {
    std::lock_guard lock(mutex_);
    while (segments_.size() > 1 && segments_.front() < committed.segment) {
      doomed.push_back(segments_.front());
      segments_.erase(segments_.begin());
    }
  }
  for (auto segment : doomed) {
    std::error_code ec;
    const auto path = path_of(segment);
    const auto size = fs::file_size(path, ec);
    fs::remove(path, ec);
    std::lock_guard lock(mutex_);
    held_bytes_ -= std::min<std::uint64_t>(held_bytes_, ec ? 0 : size);
  }
}

std::uint64_t Spool::bytes() const {
  std::lock_guard lock(mutex_);
  return held_bytes_ + offset_;
}

}  // namespace ems::historian
