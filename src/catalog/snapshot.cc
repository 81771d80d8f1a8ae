#include "catalog/snapshot.h"

#include <fmt/format.h>

namespace ag::catalog {

std::optional<std::string> attribute_of(const ObjectKey& key, const Attributes& values,
                                        std::string_view name) {
  const ObjectKind* kind = find_object_kind(key.kind);
  if (kind == nullptr) return std::nullopt;
  for (size_t i = 0; i < kind->attributes.size() && i < values.size(); ++i)
    if (kind->attributes[i].name == name) return values[i];
  return std::nullopt;
}

Result<Snapshot> take_snapshot(pg::Connection& connection, const SnapshotOptions& options) {
  Result<pg::QueryResult> rows = query_catalog(connection, facts_query(options));
  if (!rows) return Error{"catalog snapshot failed: " + rows.error().message, "", 0};
  Snapshot snapshot;
  constexpr int kFirstAttribute = 4;  // after kind, schema, parent, name
  for (int row = 0; row < rows->rows(); ++row) {
    ObjectKey key{std::string(rows->text(row, 0)), std::string(rows->text(row, 1)),
                  std::string(rows->text(row, 2)), std::string(rows->text(row, 3))};
    const ObjectKind* kind = find_object_kind(key.kind);
    if (kind == nullptr)
      throw std::logic_error(fmt::format("catalog facts: unknown kind '{}'", key.kind));
    Attributes attributes;
    attributes.reserve(kind->attributes.size());
    for (size_t i = 0; i < kind->attributes.size(); ++i) {
      attributes.push_back(rows->optional_text(row, kFirstAttribute + static_cast<int>(i)));
    }
    snapshot.objects.emplace(std::move(key), std::move(attributes));
  }
  return snapshot;
}

}  // namespace ag::catalog
