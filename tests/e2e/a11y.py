"""JavaScript shared by the browser accessibility checks."""

import re

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


# The page checks of test_accessibility_e2e.py.
UNLABELLED_CONTROLS_JS = (
    "() => {\n"
    + ACCESSIBLE_NAME_JS
    + """  const problems = [];
  for (const el of document.querySelectorAll("input, select, textarea, button")) {
    if (el.type === "hidden") continue;
    const where = `${el.tagName.toLowerCase()}#${el.id || "?"}[name=${el.name || "?"}]`;
    if (!nameOf(el)) problems.push(`${where} has no accessible name`);
    if (el.type === "radio" || el.type === "checkbox") {
      const legend = el.closest("fieldset")?.querySelector(":scope > legend");
      if (!legend || !text(legend)) problems.push(`${where} is not in a fieldset with a legend`);
    }
  }
  return problems;
}"""
)

# Every element a keyboard user must reach, one key per radio group (Tab enters a group once).
KEYBOARD_TARGETS_JS = """() => {
  const selector = 'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]),'
    + ' select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';
  const keys = new Set();
  for (const el of document.querySelectorAll(selector)) {
    const shown = el.classList.contains("skip-link") || el.checkVisibility();
    if (shown) keys.add(window.__e2eKey(el));
  }
  return Array.from(keys).sort();
}"""

KEY_OF_JS = """() => {
  window.__e2eKey = el => el.type === "radio" ? `radio:${el.name}`
    : `${el.tagName.toLowerCase()}:${el.id || el.name || el.getAttribute("href")
       || el.getAttribute("data-zoom") || el.getAttribute("data-preset") || el.textContent.trim()}`;
}"""

FOCUSED_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  // The ring is drawn outside the element (outline-offset): measure it against whatever is
  // painted there, beside the element's left edge (right edge when that is off screen).
  const {parse, background, ratio} = window.__colour;
  const ring = parse(style.outlineColor);
  const reach = parseFloat(style.outlineOffset) + parseFloat(style.outlineWidth) / 2;
  const x = box.left - reach >= 0 ? box.left - reach : box.right + reach;
  const under = document.elementsFromPoint(x, box.top + box.height / 2)
    .find(node => node !== el && !el.contains(node));
  const behind = under ? background(under).painted : null;
  return {
    key: window.__e2eKey(el),
    ringRatio: ring && behind ? ratio(ring, behind) : null,
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    inView: box.width > 1 && box.height > 1 && box.right > 0 && box.bottom > 0
      && box.left < innerWidth && box.top < innerHeight,
  };
}"""

# WCAG 2.x relative luminance and contrast; a background is the ancestors' background colours
# composited until an opaque one (the canvas is white). Installed once per page as window.__colour.
COLOUR_JS = """() => {
  const parse = value => {
    const match = value.match(/^rgba?\\(([^)]+)\\)$/);
    if (!match) return null;
    const parts = match[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  };
  const over = (top, bottom) => [0, 1, 2].map(i => top[i] * top[3] + bottom[i] * (1 - top[3]));
  const luminance = rgb => {
    const linear = v => (v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    const [r, g, b] = rgb.map(linear);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const background = el => {
    const layers = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.backgroundImage !== "none") return {problem: `background image on ${node.tagName}`};
      const colour = parse(style.backgroundColor);
      if (!colour) return {problem: `unparsed colour ${style.backgroundColor}`};
      if (colour[3] > 0) layers.push(colour);
      if (colour[3] === 1) break;
    }
    let painted = [255, 255, 255];
    for (const layer of layers.reverse()) painted = over(layer, painted);
    return {painted};
  };
  const ratio = (colour, painted) => {
    const pair = [luminance(over(colour, painted)), luminance(painted)];
    const [light, dark] = pair.sort((a, b) => b - a);
    return Math.round(((light + 0.05) / (dark + 0.05)) * 100) / 100;
  };
  window.__colour = {parse, background, ratio};
}"""

CONTRAST_JS = """(categories) => {
  const {parse, background, ratio} = window.__colour;
  const measured = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (["SCRIPT", "STYLE", "OPTION", "PROGRESS", "SVG"].includes(el.tagName)) continue;
    const ownText = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
    if (!ownText && el.tagName !== "SELECT") continue;
    const box = el.getBoundingClientRect();
    if (!el.checkVisibility() || box.width <= 1 || box.height <= 1 || box.right <= 0) continue;
    const style = getComputedStyle(el);
    const text = (el.tagName === "SELECT" ? el.selectedOptions[0]?.text : el.textContent) || "";
    const {painted, problem} = background(el);
    const colour = parse(style.color);
    const entry = {
      text: text.replace(/\\s+/g, " ").trim().slice(0, 40),
      tag: [el.tagName.toLowerCase(), ...String(el.className || "").split(" ")].join("."),
      categories: Object.keys(categories).filter(name => el.closest(categories[name])),
    };
    if (problem || !colour) {
      entry.problem = problem || `unparsed colour ${style.color}`;
      measured.push(entry);
      continue;
    }
    entry.ratio = ratio(colour, painted);
    entry.colours = `${style.color} on rgb(${painted.map(Math.round).join(", ")})`;
    measured.push(entry);
  }
  return measured;
}"""
CONTRAST_CATEGORIES = {
    "body text": "main p",
    "label": "label, legend",
    "button": "button",
    "advice card": ".advice-card",
    "progress": "#progress-label",
}
EXPECTED_CATEGORIES = {
    "consent": {"body text", "label", "button"},
    "screening": {"body text", "label", "button"},
    "trial": {"body text", "label", "button", "advice card", "progress"},
    "trial-image": {"body text", "label", "button", "advice card", "progress"},
    "questionnaire": {"body text", "label", "button"},
    "debrief": {"body text", "label", "button"},
    "done": {"body text"},
    "withdraw": {"body text", "button"},
    "withdrawn": {"body text"},
}

NO_SIDEWAYS_SCROLL_JS = "() => [document.scrollingElement.scrollWidth, window.innerWidth]"
UNNAMED_ROLE = re.compile(
    r"^\s*- (textbox|combobox|radio|checkbox|button|spinbutton|slider|group|toolbar)"
    r"(\s*\[[^\]]*\])*:?\s*$"
)
