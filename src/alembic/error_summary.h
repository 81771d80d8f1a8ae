// A Python error from the worker, as one line a finding can carry.
#pragma once

#include <string>

namespace ag::alembic {

/// The first line of `message` (a worker Error's message: "Type: text"), the SQL statement
/// SQLAlchemy quotes in it (white space collapsed, cut after 300 characters) and the SQLSTATE
/// (the worker appends "(SQLSTATE 42P01)" after the whole message). Python's addresses in
/// default reprs ("<... object at 0x7f...>") are left out: they differ from run to run.
std::string summarize_error(const std::string& message);

}  // namespace ag::alembic
