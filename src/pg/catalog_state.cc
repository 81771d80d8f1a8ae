#include "pg/catalog_state.h"

#include <fmt/format.h>

#include <charconv>

namespace ag::pg {
namespace {

constexpr size_t kFirstAttribute = 5;  // after relation, kind, schema, parent, name
constexpr std::string_view kTouchedMarker = "#touched";

Result<uint32_t> relation_of(const std::string& text) {
  uint32_t oid = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), oid);
  if (error != std::errc{} || end != text.data() + text.size())
    return Error{fmt::format("catalog reading: relation '{}' is not an OID", text), "", 0};
  return oid;
}

/// Adds `from`'s objects to `into`.
void merge(Snapshot& into, const Snapshot& from) {
  into.objects.insert(from.objects.begin(), from.objects.end());
}

}  // namespace

Result<CatalogReading> read_catalog_rows(
    const std::vector<std::vector<std::optional<std::string>>>& rows, bool whole) {
  CatalogReading reading{.whole = whole, .touched = {}, .relations = {}, .rest = {}};
  for (const std::vector<std::optional<std::string>>& row : rows) {
    if (row.size() < kFirstAttribute || !row[1])
      return Error{"catalog reading: a row lacks its kind", "", 0};
    std::optional<uint32_t> relation;
    if (row[0]) {
      Result<uint32_t> oid = relation_of(*row[0]);
      if (!oid) return oid.error();
      relation = *oid;
    }
    if (*row[1] == kTouchedMarker) {
      if (relation) reading.touched.push_back(*relation);
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
    Snapshot& into = relation ? reading.relations[*relation] : reading.rest;
    into.objects.emplace(std::move(key), std::move(attributes));
  }
  return reading;
}

void CatalogState::apply(CatalogReading reading) {
  if (reading.whole) relations_.clear();
  for (uint32_t relation : reading.touched) relations_.erase(relation);
  for (auto& [relation, objects] : reading.relations) relations_[relation] = std::move(objects);
  rest_ = std::move(reading.rest);
}

std::vector<std::string> CatalogState::differences(const CatalogReading& reading,
                                                   const DiffSides& sides) const {
  Snapshot before = rest_, after = reading.rest;
  if (reading.whole) {
    for (const auto& [relation, objects] : relations_) merge(before, objects);
  } else {
    for (uint32_t relation : reading.touched) {
      auto kept = relations_.find(relation);
      if (kept != relations_.end()) merge(before, kept->second);
    }
  }
  for (const auto& [relation, objects] : reading.relations) merge(after, objects);
  return diff_snapshots(before, after, sides);
}

}  // namespace ag::pg
