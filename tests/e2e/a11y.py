"""JavaScript shared by the browser accessibility checks."""

# The accessible name of a form control as browsers compute it for labels (aria-label, then
# aria-labelledby, then <label>, then a button's text): shared by the accessibility checks.
ACCESSIBLE_NAME_JS = """  const text = el => (el.textContent || "").replace(/\\s+/g, " ").trim();
  const nameOf = el => {
    const aria = (el.getAttribute("aria-label") || "").trim();
    if (aria) return aria;
    const ids = (el.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean);
    const byIds = ids.map(id => document.getElementById(id)).filter(Boolean).map(text).join(" ");
    if (byIds.trim()) return byIds;
    const byLabels = Array.from(el.labels || []).map(text).join(" ").trim();
    if (byLabels) return byLabels;
    return el.tagName === "BUTTON" ? text(el) : "";
  };
"""
