#include "catalog/catalog_state.h"

#include <fmt/format.h>

#include <charconv>

namespace ag::catalog {
namespace {

constexpr size_t kFirstAttribute = 5;  // after unit, kind, schema, parent, name
constexpr std::string_view kTouchedMarker = "#touched";

Result<uint32_t> unit_of(const std::optional<std::string>& text) {
  if (!text) return Error{"catalog reading: a row lacks its unit", "", 0};
  uint32_t oid = 0;
  auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), oid);
  if (error != std::errc{} || end != text->data() + text->size())
    return Error{fmt::format("catalog reading: unit '{}' is not an OID", *text), "", 0};
  return oid;
}

/// Adds `from`'s objects to `into`.
void merge(Snapshot& into, const Snapshot& from) {
  into.objects.insert(from.objects.begin(), from.objects.end());
}

}  // namespace

Result<CatalogReading> read_catalog_rows(
    const std::vector<std::vector<std::optional<std::string>>>& rows, bool whole) {
  CatalogReading reading{.whole = whole, .touched = {}, .units = {}};
  for (const std::vector<std::optional<std::string>>& row : rows) {
    if (row.size() < kFirstAttribute || !row[1])
      return Error{"catalog reading: a row lacks its kind", "", 0};
    Result<uint32_t> unit = unit_of(row[0]);
    if (!unit) return unit.error();
    if (*row[1] == kTouchedMarker) {
      reading.touched.push_back(*unit);
      continue;
    }
    const ObjectKind* kind = find_object_kind(*row[1]);
    if (kind == nullptr)
      return Error{fmt::format("catalog reading: unknown kind '{}'", *row[1]), "", 0};
    if (row.size() < kFirstAttribute + kind->attributes.size())
      return Error{fmt::format("catalog reading: a row of kind '{}' lacks attributes", *row[1]), "",
                   0};
    ObjectKey key{*row[1], row[2].value_or(""), row[3].value_or(""), row[4].value_or("")};
    Attributes attributes(
        row.begin() + kFirstAttribute,
        row.begin() + static_cast<long>(kFirstAttribute + kind->attributes.size()));
    reading.units[*unit].objects.emplace(std::move(key), std::move(attributes));
  }
  return reading;
}

void CatalogState::apply(CatalogReading reading) {
  if (reading.whole) units_.clear();
  for (uint32_t unit : reading.touched) units_.erase(unit);
  for (auto& [unit, objects] : reading.units) units_[unit] = std::move(objects);
}

std::vector<std::string> CatalogState::differences(const CatalogReading& reading,
                                                   const DiffSides& sides) const {
  Snapshot before, after;
  if (reading.whole) {
    for (const auto& [unit, objects] : units_) merge(before, objects);
  } else {
    for (uint32_t unit : reading.touched) {
      auto kept = units_.find(unit);
      if (kept != units_.end()) merge(before, kept->second);
    }
  }
  for (const auto& [unit, objects] : reading.units) merge(after, objects);
  return diff_snapshots(before, after, sides);
}

}  // namespace ag::catalog
