#pragma once
// Private to libs/contract: the collecting (non-throwing) parsers behind parse_dtm,
// parse_template and parse_measurement, so that one parse reports every issue at once.

#include <functional>
#include <optional>
#include <string>

#include "ems/contract/dtm.hpp"
#include "json_fields.hpp"

namespace ems::contract::detail {

// Where a binding appears: some protocols only read (synthetic), some only write (distribute,
// power_cap).
enum class BindingUse { measurement, command };

std::optional<Binding> read_binding(const Json& j, const std::string& path, BindingUse use,
                                    Issues& issues);
// The typed view and the value map of a binding read_binding has normalized (dtm/binding.cpp).
ProtocolBinding typed_binding(Protocol p, const Json& normalized);
std::vector<EnumValue> value_map_of(const Json& normalized);
// Enum codes order numerically when they are integers ("2" before "10"), else by text after them.
bool enum_code_less(const EnumValue& a, const EnumValue& b);
// Catalog YAML may map raw values to enum codes (integers) in value_map; this rewrites them to
// the labels of `values` (the DTM form), reporting codes that have no label.
void resolve_value_map_codes(Binding& binding, const std::vector<EnumValue>& values,
                             const std::string& binding_path, Issues& issues);
Measurement read_measurement(const Json& j, const std::string& path, Issues& issues);
Template read_template(const Json& j, const std::string& path, Issues& issues);
Dtm read_dtm(const Json& doc, Issues& issues);
// Finds a template by slug (in templates_used, the catalog, ...); nullptr when unknown.
using TemplateResolver = std::function<const Template*(const std::string&)>;
// Roll-ups read a measurement of the children and power caps write commands of the children:
// those names must exist in the child templates that `resolve` knows.
void check_child_names(const Template& t, const std::string& path, const TemplateResolver& resolve,
                       Issues& issues);
void check_references_into(const Dtm& dtm, const TemplateCatalog* catalog, Issues& issues);

// Services that publish computed measurements / execute fanned-out commands.
bool is_known_service(std::string_view s);
inline constexpr std::string_view kServiceList =
    "gateway|line_controller|analyst|local_process|der_control_api|fixtures";

}  // namespace ems::contract::detail
