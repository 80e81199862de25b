// OidTable's command-responder semantics (RFC 3416) without sockets, plus Oid and Value basics.
#include <gtest/gtest.h>

#include "ems/protocols/snmp/error.hpp"
#include "ems/protocols/snmp/oid_table.hpp"

namespace ems::protocols::snmp {
namespace {

TEST(Oid, ParsesNumericOidsOnly) {
  EXPECT_EQ(Oid::parse(".1.3.6.1.2.1.1.3.0").str(), "1.3.6.1.2.1.1.3.0");
  EXPECT_EQ(Oid::parse("1.3.4294967295").arcs().back(), 4294967295u);
  for (const char* bad : {"", ".", "1", "1..3", "1.3.", "sysDescr.0", "1.3.4294967296", "1.-3"})
    EXPECT_THROW(Oid::parse(bad), SnmpError) << bad;
  EXPECT_LT(Oid::parse("1.3.6.1.2"), Oid::parse("1.3.6.1.2.0"));
  EXPECT_LT(Oid::parse("1.3.6.1.2.9"), Oid::parse("1.3.6.1.10"));
  EXPECT_TRUE(Oid::parse("1.3.6.1.2.1").starts_with(Oid::parse("1.3.6")));
  EXPECT_FALSE(Oid::parse("1.3.6").starts_with(Oid::parse("1.3.6.1")));
}

TEST(Value, TypedReadsRefuseWhatTheyCannotRepresent) {
  EXPECT_EQ(Value::integer(-5).as_int64(), -5);
  EXPECT_THROW((void)Value::integer(-5).as_uint64(), SnmpError);
  EXPECT_EQ(Value::counter64(~0ULL).as_uint64(), ~0ULL);
  EXPECT_THROW((void)Value::counter64(~0ULL).as_int64(), SnmpError);
  EXPECT_EQ(Value::ip_address(10, 0, 0, 1).as_string(), "10.0.0.1");
  EXPECT_EQ(Value::gauge32(7).describe(), "Gauge32: 7");
  EXPECT_EQ(Value::exception(ValueType::no_such_instance).describe(), "noSuchInstance");
  EXPECT_THROW(Value::exception(ValueType::integer), SnmpError);
  EXPECT_THROW((void)Value().as_string(), SnmpError);
}

void fill(OidTable& t) {
  t.define(Oid::parse("1.3.6.1.4.1.1.1.0"), Value::integer(1), Access::read_write);
  t.define(Oid::parse("1.3.6.1.4.1.1.2.0"), Value::gauge32(2));
  t.define(Oid::parse("1.3.6.1.4.1.1.3.0"), Value::octet_string("three"), Access::read_write);
}

TEST(OidTable, GetNextAndBulkFollowLexicographicOrder) {
  OidTable t;
  fill(t);
  auto r = t.get_next(
      {Oid::parse("1.3"), Oid::parse("1.3.6.1.4.1.1.1.0"), Oid::parse("1.3.6.1.4.1.1.3.0")});
  EXPECT_EQ(r.varbinds[0].oid, Oid::parse("1.3.6.1.4.1.1.1.0"));
  EXPECT_EQ(r.varbinds[1].oid, Oid::parse("1.3.6.1.4.1.1.2.0"));
  EXPECT_EQ(r.varbinds[2].value.type(), ValueType::end_of_mib_view);

  r = t.get_bulk({Oid::parse("1.3"), Oid::parse("1.3")}, 1, 5);
  ASSERT_EQ(r.varbinds.size(), 5u);  // 1 non-repeater + 3 rows + 1 endOfMibView, then stop
  EXPECT_EQ(r.varbinds[4].value.type(), ValueType::end_of_mib_view);
  EXPECT_EQ(t.get_bulk({Oid::parse("1.3")}, 0, 100, 2).varbinds.size(), 2u);  // size cap
  EXPECT_EQ(t.get_bulk({Oid::parse("1.3")}, 0, 0).varbinds.size(), 0u);
}

TEST(OidTable, SetChecksEverythingBeforeApplyingAnything) {
  OidTable t;
  fill(t);
  int calls = 0;
  t.on_set([&](const Oid&, const Value& v) {
    ++calls;
    return v == Value::integer(13) ? ErrorStatus::wrong_value : ErrorStatus::no_error;
  });
  auto r = t.apply_set({{Oid::parse("1.3.6.1.4.1.1.1.0"), Value::integer(9)},
                        {Oid::parse("1.3.6.1.4.1.1.3.0"), Value::integer(9)}});
  EXPECT_EQ(r.status, ErrorStatus::wrong_type);
  EXPECT_EQ(r.index, 2);
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(t.get(Oid::parse("1.3.6.1.4.1.1.1.0")), Value::integer(1));

  r = t.apply_set({{Oid::parse("1.3.6.1.4.1.1.1.0"), Value::integer(13)}});
  EXPECT_EQ(r.status, ErrorStatus::wrong_value);
  EXPECT_EQ(t.get(Oid::parse("1.3.6.1.4.1.1.1.0")), Value::integer(1));

  r = t.apply_set({{Oid::parse("1.3.6.1.4.1.1.3.0"), Value::octet_string("new")}});
  EXPECT_EQ(r.status, ErrorStatus::no_error);
  EXPECT_EQ(t.get(Oid::parse("1.3.6.1.4.1.1.3.0")), Value::octet_string("new"));
  EXPECT_EQ(t.apply_set({{Oid::parse("1.3.6.1.4.1.1.2.0"), Value::gauge32(1)}}).status,
            ErrorStatus::not_writable);
  EXPECT_EQ(t.apply_set({{Oid::parse("1.3.6.1.4.1.1.9.0"), Value::gauge32(1)}}).status,
            ErrorStatus::no_creation);
}

TEST(OidTable, ModelSetDefinesReadOnlyAndKeepsAccess) {
  OidTable t;
  fill(t);
  t.set(Oid::parse("1.3.6.1.4.1.1.1.0"), Value::integer(5));  // stays read-write
  EXPECT_EQ(t.apply_set({{Oid::parse("1.3.6.1.4.1.1.1.0"), Value::integer(6)}}).status,
            ErrorStatus::no_error);
  t.set(Oid::parse("1.3.6.1.4.1.1.4.0"), Value::timeticks(1));  // new: read-only
  EXPECT_EQ(t.apply_set({{Oid::parse("1.3.6.1.4.1.1.4.0"), Value::timeticks(2)}}).status,
            ErrorStatus::not_writable);
  EXPECT_THROW(t.set(Oid::parse("1.3.6.1.4.1.1.1.0"), Value()), SnmpError);
  EXPECT_TRUE(t.remove(Oid::parse("1.3.6.1.4.1.1.4.0")));
  EXPECT_EQ(t.size(), 3u);
}

}  // namespace
}  // namespace ems::protocols::snmp
