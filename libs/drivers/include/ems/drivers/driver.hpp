#pragma once
// libs/drivers: the one interface every reader (the gateway, tools, end-to-end tests) uses to
// read and write device points, whatever the protocol - the way EMQX Neuron gives every protocol
// one plugin interface. A DeviceDriver talks to one device over one connection of the AsyncAPI
// document's x-protocol-source (contract::DeviceConnection) and reads or writes the typed points
// contract::read_sources() gives (contract::SourcePoint / contract::CommandPoint).
//
//   auto sources = contract::read_sources(asyncapi);
//   auto secrets = runtime::Secrets::from_env();
//   for (auto& [id, dev] : sources)
//     for (auto& [protocol, connection] : dev.connections) {
//       auto driver = drivers::make_driver(connection, secrets);
//       driver->open();
//       for (const auto& r : driver->read(drivers::points_for(dev, protocol)))
//         ... r.value / r.status / r.error ...
//     }
//
// Values are engineering values, typed by the point's value_type: the binding's scale, offset,
// SunSpec scale factor and word order are applied, a bool point yields a bool (raw != 0), an
// enum point yields its label (raw code -> label through the point's contract::EnumCodec).
// Writes take the same types back: a float (checked against the command's bounds), a bool, or
// an enum label (mapped to its code). Which protocol does what on the wire:
//
//   modbus_tcp  read: points grouped into as few FC1-4 requests as possible (adjacent and
//               overlapping registers share one request, modbus::plan_reads); SunSpec scale
//               factor registers are read in the same plan. write: by the binding's
//               function_code - FC5 coil, FC6 one register, FC15 coils, FC16 registers (a
//               binding with a read function code writes coils by FC5, registers by FC6/FC16
//               according to the value's width).
//   snmp        read: one GET PDU for every OID of the group (48 at most per PDU, halved
//               while the agent answers tooBig); numbers * scale; an OCTET STRING
//               is an enum code. noSuchObject/noSuchInstance is that point's protocol error.
//               write: one SET of round(value / scale) in the SMI type the agent holds (learnt
//               by one GET per OID, remembered). v2c with the connection's communities, or with
//               the credentials entry's communities / v3 USM user.
//   dnp3_tcp    read: an integrity poll (class 1 2 3 0) on the first read, after a failed
//               request or reconnect, and when the outstation reports a restart (IIN1.7,
//               cleared by WRITE g80v1) or an event buffer overflow (IIN2.3); every other read
//               is one class 1 2 3 event poll (plus g10 / g40 static reads when a point is bound
//               to an output, whose status makes no events). The driver keeps the latest value
//               of every point from those answers and reads each point from it by point type
//               and index; raw * scale. So an analog value is as fresh as the outstation's
//               deadband makes it. A point the outstation never reported, or flagged offline,
//               is that point's error. write: analog_output -> g41 direct operate
//               (binding variation 1..4, default 3 = float32) of value / scale; binary_output ->
//               CROB latch on (true / nonzero) or latch off. A command status other than
//               SUCCESS is `refused`.
//   redfish     read: one GET per distinct resource of the group (shared by every pointer on
//               it); numbers * scale, JSON booleans for bools, strings as enum codes. write:
//               PATCH of the pointer with value / scale (bools as JSON booleans, enums as their
//               code, numeric codes as numbers). Basic or session auth and the CA file from the
//               credentials entry; none without one.
//   can         read: every frame of the socketcand bus is cached; a read drains what arrived
//               and waits (up to the timeout) for frames of ids not seen within the last
//               timeout, then decodes each point's DBC signal from the latest frame of its id.
//               A point whose id sent nothing within the timeout reads `timeout` (a frame's
//               age counts from when the driver read it off the connection, so frames that
//               waited in the socket between two reads count from the later read). write: one
//               frame of the binding's id carrying the encoded signal (other bits zero, dlc =
//               the bytes the signal needs).
//
// Errors: DriverError (error.hpp) with one kind vocabulary for every protocol. read() reports
// failures per point (PointReading::status), never by throwing, so one dead register does not
// hide the others; open() and write() throw DriverError. make_driver() throws DriverError
// (config) for a connection it cannot serve.
//
// Threading: one driver instance per device connection, used by one thread at a time (not
// thread-safe). Different drivers may run in parallel threads.

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "ems/contract/sources.hpp"
#include "ems/drivers/error.hpp"
#include "ems/runtime/secrets.hpp"

namespace ems::drivers {

// An engineering value: float, bool, or an enum label.
using Value = std::variant<double, bool, std::string>;

// "12.5", "true", "RUNNING" - for logs and test failures.
std::string to_string(const Value& v);

enum class ReadStatus { ok, timeout, error };
std::string_view to_string(ReadStatus s) noexcept;

struct PointReading {
  std::string name;  // the SourcePoint's name
  ReadStatus status = ReadStatus::ok;
  std::optional<Value> value;     // set exactly when status is ok
  std::optional<ErrorKind> kind;  // set exactly when status is not ok (timeout -> timeout)
  std::string error;              // readable reason when status is not ok

  bool ok() const noexcept { return status == ReadStatus::ok; }
};

struct DriverOptions {
  std::chrono::milliseconds timeout{1000};          // one request's answer (or a CAN frame)
  std::chrono::milliseconds connect_timeout{2000};  // DNP3, Redfish, socketcand connect
                                                    // (Modbus connects within `timeout`)
  int snmp_retries = 0;                             // SNMP re-sends after a timeout
};

class DeviceDriver {
 public:
  virtual ~DeviceDriver() = default;

  // Connects now (reads and writes also connect on demand and reconnect after a failure).
  // Throws DriverError: connection, timeout, refused (e.g. a Redfish login or a SNMPv3 user
  // rejected), protocol.
  virtual void open() = 0;
  // Reads every point (one result per point, same order). Points whose binding is not of this
  // driver's protocol read as `config` errors. Never throws DriverError.
  virtual std::vector<PointReading> read(std::span<const contract::SourcePoint> points) = 0;
  // Writes one command value (see the header comment for the wire form). Throws DriverError;
  // bad_value for a value of the wrong type, outside the command's bounds or without a code.
  virtual void write(const contract::CommandPoint& command, const Value& value) = 0;
  // Disconnects (ends a Redfish session). Idempotent; the driver may be opened again.
  virtual void close() = 0;

  virtual contract::Protocol protocol() const noexcept = 0;
  // "modbus_tcp 127.0.0.1:5020" - names the device in messages.
  virtual const std::string& endpoint() const noexcept = 0;
};

// The driver for one device connection. `secrets` supplies the entry the connection's
// `credentials` names (SNMP community or v3 user, Redfish user/password/session/CA). Throws
// DriverError(config) for a protocol that is not a device protocol, a credentials name missing
// from `secrets` (or an entry without the protocol's section), SNMPv3 without credentials, or
// a configuration the protocol library rejects. Opens nothing yet.
std::unique_ptr<DeviceDriver> make_driver(const contract::DeviceConnection& connection,
                                          const runtime::Secrets& secrets,
                                          const DriverOptions& options = {});

// The points of `device` read over `protocol` (name order), i.e. one driver's read group.
std::vector<contract::SourcePoint> points_for(const contract::DeviceSources& device,
                                              contract::Protocol protocol);

// ---- value conversion shared by every driver (and by anyone serving the same points) ----

// A raw engineering number (scale, offset and scale factor already applied) as the point's
// typed value: float as is, bool = (number != 0), enum = the label of the code. Throws
// DriverError(bad_value) for a code without a label or a non-finite number.
Value typed_value(double engineering, const contract::SourcePoint& point);
// A text code (SNMP OCTET STRING, Redfish string) as the point's typed value: enum = its label
// (a text that already is a label is accepted), bool "true"/"false", float only when numeric.
Value typed_value(std::string_view code, const contract::SourcePoint& point);

// The number a command writes for `value`: float checked against the command's bounds, bool as
// 1/0, enum label as its numeric code, a trigger as 1. Throws DriverError(bad_value).
double command_number(const contract::CommandPoint& command, const Value& value);

}  // namespace ems::drivers
