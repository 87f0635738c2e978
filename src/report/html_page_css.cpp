#include "report/html_page.h"

namespace osc::report {

std::string_view page_css() {
  return R"CSS(
:root { --ink: #282828; --muted: #6b6b6b; --line: #dcdcdc; --accent: #ff00ff; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #f6f6f4; }
header { padding: 20px 32px 12px; background: #fff; border-bottom: 1px solid var(--line); }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0; color: var(--muted); }
main { padding: 16px 32px 40px; max-width: 1500px; }
table.summary { border-collapse: collapse; margin: 8px 0 0; background: #fff; }
table.summary th, table.summary td { text-align: left; padding: 4px 12px; border-bottom: 1px solid var(--line); vertical-align: top; }
table.summary th { font-weight: 600; white-space: nowrap; }
section.group { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 14px 18px; margin: 18px 0; }
section.group h2 { margin: 0 0 6px; font-size: 18px; }
section.group label { color: var(--muted); margin-right: 6px; }
section.group select { font: inherit; padding: 2px 6px; }
.figure h3 { margin: 12px 0 2px; font-size: 16px; }
.caption { color: var(--muted); margin: 2px 0 8px; }
.panels { display: grid; gap: 10px; }
.osc-plot { min-height: 420px; min-width: 0; border: 1px solid #eee; }
#osc-status { color: var(--muted); font-size: 12px; margin-top: 24px; }
)CSS";
}

}  // namespace osc::report
