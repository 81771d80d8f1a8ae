#include "catalog/snapshot_diff.h"

#include <fmt/format.h>

#include <algorithm>
#include <regex>
#include <set>
#include <sstream>

namespace ag::catalog {
namespace {

constexpr size_t kLongValue =
    80;  // longer values of text attributes are shown by their first differing line

std::string qualified(const std::string& schema, const std::string& name) {
  return schema.empty() || schema == "public" ? name : schema + "." + name;
}

size_t rank_of(std::string_view kind) {
  std::span<const ObjectKind> kinds = object_kinds();
  auto it =
      std::find_if(kinds.begin(), kinds.end(), [&](const ObjectKind& k) { return k.id == kind; });
  return static_cast<size_t>(it - kinds.begin());
}

/// The order diff lines come in: kinds as object_kinds() lists them, then by name.
bool listed_before(const ObjectKey* a, const ObjectKey* b) {
  size_t rank_a = rank_of(a->kind), rank_b = rank_of(b->kind);
  return rank_a != rank_b ? rank_a < rank_b : *a < *b;
}

bool has_parent(const Snapshot& snapshot, const ObjectKind& kind, const ObjectKey& key) {
  return std::any_of(
      kind.parent_kinds.begin(), kind.parent_kinds.end(), [&](std::string_view parent_kind) {
        return snapshot.objects.count(
                   ObjectKey{std::string(parent_kind), key.schema, "", key.parent}) > 0;
      });
}

/// A child whose table exists on one side only: the table's own line says it all.
bool covered_by_parent(const ObjectKey& key, const Snapshot& before, const Snapshot& after) {
  const ObjectKind* kind = find_object_kind(key.kind);
  if (kind == nullptr || kind->parent_kinds.empty() || key.parent.empty()) return false;
  return has_parent(before, *kind, key) != has_parent(after, *kind, key);
}

std::string shown(const std::optional<std::string>& value, AttributeStyle style) {
  if (!value) return "none";
  return style == AttributeStyle::type ? short_type_name(*value) : *value;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

/// "definition differs at line 3: `  SELECT 1` before, `  SELECT 2` after"
std::string first_difference(const AttributeSpec& attribute, const std::string& left,
                             const std::string& right, const DiffSides& sides) {
  std::vector<std::string> a = lines_of(left), b = lines_of(right);
  size_t line = 0;
  while (line < a.size() && line < b.size() && a[line] == b[line]) ++line;
  auto at = [&](const std::vector<std::string>& lines) {
    return line < lines.size() ? fmt::format("`{}`", lines[line]) : std::string("nothing");
  };
  return fmt::format("{} differs at line {}: {} {}, {} {}", attribute.name, line + 1, at(a),
                     sides.before, at(b), sides.after);
}

std::string changed(const AttributeSpec& attribute, const std::optional<std::string>& left,
                    const std::optional<std::string>& right, const DiffSides& sides) {
  bool long_text =
      attribute.style == AttributeStyle::text && left && right &&
      (left->size() > kLongValue || right->size() > kLongValue ||
       left->find('\n') != std::string::npos || right->find('\n') != std::string::npos);
  if (long_text) return first_difference(attribute, *left, *right, sides);
  // Read as a hash (relation_facts_function()): that it differs is all there is to say.
  if (left && right && left->starts_with("md5:") && right->starts_with("md5:"))
    return fmt::format("{} differs", attribute.name);
  std::string values = fmt::format("{} {}, {} {}", shown(left, attribute.style), sides.before,
                                   shown(right, attribute.style), sides.after);
  return attribute.style == AttributeStyle::bare ? values
                                                 : fmt::format("{} {}", attribute.name, values);
}

void compare_attributes(const ObjectKey& key, const Attributes& left, const Attributes& right,
                        const DiffSides& sides, std::vector<Difference>& out) {
  const ObjectKind* kind = find_object_kind(key.kind);
  if (kind == nullptr) return;
  for (size_t i = 0; i < kind->attributes.size() && i < left.size() && i < right.size(); ++i) {
    if (left[i] == right[i]) continue;
    out.push_back({key, fmt::format("{}: {}", describe_object(key),
                                    changed(kind->attributes[i], left[i], right[i], sides))});
  }
}

}  // namespace

std::string describe_object(const ObjectKey& key) {
  const ObjectKind* kind = find_object_kind(key.kind);
  std::string_view label = kind != nullptr ? kind->label : std::string_view(key.kind);
  Naming naming = kind != nullptr ? kind->naming : Naming::plain;
  switch (naming) {
    case Naming::dotted:
      return fmt::format("{} {}.{}", label, qualified(key.schema, key.parent), key.name);
    case Naming::on_parent: {
      std::string parent_label =
          kind->parent_label.empty() ? "" : std::string(kind->parent_label) + " ";
      return fmt::format("{} {} on {}{}", label, key.name, parent_label,
                         qualified(key.schema, key.parent));
    }
    case Naming::plain:
      break;
  }
  return fmt::format("{} {}", label, qualified(key.schema, key.name));
}

std::string short_type_name(std::string_view type) {
  static const std::regex with_zone(R"(\b(timestamp|time)(\(\d+\))? with time zone)");
  static const std::regex without_zone(R"( without time zone)");
  static const std::regex character(R"(\bcharacter\b)");
  std::string out(type);
  out = std::regex_replace(out, std::regex(R"(\bcharacter varying\b)"), "varchar");
  out = std::regex_replace(out, std::regex(R"(\bbit varying\b)"), "varbit");
  out = std::regex_replace(out, with_zone, "$1tz$2");
  out = std::regex_replace(out, without_zone, "");
  return std::regex_replace(out, character, "char");
}

std::vector<std::string> diff_snapshots(const Snapshot& before, const Snapshot& after,
                                        const DiffSides& sides) {
  std::vector<std::string> lines;
  for (Difference& difference : diff_objects(before, after, sides))
    lines.push_back(std::move(difference.line));
  return lines;
}

std::vector<Difference> diff_objects(const Snapshot& before, const Snapshot& after,
                                     const DiffSides& sides) {
  std::vector<const ObjectKey*> keys;
  for (const auto& [key, unused] : before.objects) keys.push_back(&key);
  for (const auto& [key, unused] : after.objects) {
    if (before.objects.count(key) == 0) keys.push_back(&key);
  }
  std::sort(keys.begin(), keys.end(), listed_before);
  std::vector<Difference> lines;
  for (const ObjectKey* key : keys) {
    auto left = before.objects.find(*key);
    auto right = after.objects.find(*key);
    bool in_before = left != before.objects.end(), in_after = right != after.objects.end();
    if (in_before && in_after) {
      compare_attributes(*key, left->second, right->second, sides, lines);
    } else if (!covered_by_parent(*key, before, after)) {
      lines.push_back({*key, in_after
                                 ? fmt::format("{} exists {} but did not {}", describe_object(*key),
                                               sides.after, sides.before)
                                 : fmt::format("{} is missing {} but existed {}",
                                               describe_object(*key), sides.after, sides.before)});
    }
  }
  return lines;
}

}  // namespace ag::catalog
