// Reports made in memory for the renderers' tests: the same findings for every format.
#pragma once

#include <cstddef>

#include "core/report.h"

namespace ag::test {

/// Two failed checks and one that could not judge on tests/fixtures/heads/two_heads (repository
/// root: the source folder): errors, a warning and notices; with and without files, lines, columns
/// and help; messages with %, CR, LF, ':', ',', '::', '|', Markdown, HTML and multi-byte UTF-8; a
/// rule no catalog knows; roundtrip timings; a graph with a branch point and two heads.
Report sample_report();

/// A report whose every text a project controls (messages quoting it, help, file names,
/// revision ids and messages, the project folder, heads) is hostile Markdown and HTML: code
/// spans that pair otherwise, images, links, raw tags, table breakers, headings, comments,
/// entities. Each piece carries the word PWNED: rendered, it must stay text.
Report hostile_report();

/// `count` findings over two checks, severities in turn (error, warning, notice), each in its own
/// file and line, with messages of `message_bytes` bytes.
Report many_findings(size_t count, size_t message_bytes = 80);

}  // namespace ag::test
