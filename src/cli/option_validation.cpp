#include "cli/option_validation.h"

#include "core/option_domains.h"

namespace osc::cli {
namespace {

bool is_numeric(const CLI::Option& option) {
  const std::string type = option.get_type_name();
  const std::string base = type.substr(0, type.find(':'));
  return base == "INT" || base == "UINT" || base == "FLOAT";
}

const OptionDomain* domain_of(const std::string& command, const CLI::Option& option) {
  for (const std::string& name : option.get_lnames())
    if (const OptionDomain* d = find_option_domain(command, "--" + name)) return d;
  for (const std::string& name : option.get_snames())
    if (const OptionDomain* d = find_option_domain(command, "-" + name)) return d;
  return nullptr;
}

void attach(CLI::App& app, const std::string& command, std::vector<std::string>& missing) {
  for (CLI::Option* option : app.get_options()) {
    if (!is_numeric(*option) || option->get_positional()) continue;
    const OptionDomain* d = domain_of(command, *option);
    if (d == nullptr) {
      missing.push_back(command + " " + option->get_name());
      continue;
    }
    const OptionDomain domain = *d;
    option->check(CLI::Validator([domain](std::string& text) { return domain_violation(domain, text); },
                                 domain_text(domain)));
  }
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
    attach(*sub, command.empty() ? sub->get_name() : command + " " + sub->get_name(), missing);
}

}  // namespace

std::vector<std::string> attach_option_domains(CLI::App& app) {
  std::vector<std::string> missing;
  attach(app, "", missing);
  return missing;
}

}  // namespace osc::cli
