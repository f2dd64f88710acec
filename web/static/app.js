// Sends the session's CSRF token with every htmx request (the CSP forbids inline
// scripts, so this lives here). The token is read from the page's meta tag.
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) {
    event.detail.headers["X-CSRF-Token"] = meta.getAttribute("content");
  }
});
// Refuse any request htmx would send to another origin.
document.addEventListener("htmx:validateUrl", function (event) {
  if (!event.detail.sameHost) {
    event.preventDefault();
  }
});
// The "Print" button of the recovery codes page (no inline handlers under the CSP).
document.addEventListener("click", function (event) {
  if (event.target.closest && event.target.closest("[data-print]")) {
    window.print();
  }
});
// A command answered in place says it worked in the page's one notice (web/htmx.py).
document.body.addEventListener("consortium-done", function () {
  var notice = document.getElementById("done-notice");
  if (notice) {
    notice.hidden = false;
  }
});
// Tables scroll inside their card on a narrow screen (app.css). A table that its
// template did not put in a .table-scroll gets one here, named after its caption,
// and focusable while it overflows so that a keyboard can scroll it. Runs on the page and on every piece htmx swaps in.
function scrollableTables(root) {
  var tables = root.querySelectorAll ? root.querySelectorAll("main table") : [];
  Array.prototype.forEach.call(tables, function (table) {
    var parent = table.parentElement;
    if (parent && parent.classList.contains("table-scroll")) {
      return;
    }
    var wrapper = document.createElement("div");
    wrapper.className = "table-scroll";
    wrapper.setAttribute("data-made", "");
    // Named after its caption, preceded by its section's heading: the caption alone
    // may repeat from section to section, and two landmarks of one name confuse
    // (axe: landmark-unique). Without a caption the section's name is enough.
    if (table.caption && table.caption.textContent.trim()) {
      var section = table.closest("section, .panel");
      var heading = section && section.querySelector("h2, h3, h4");
      var names = [table.caption];
      if (heading && heading.textContent.trim()) {
        names.unshift(heading);
      }
      wrapper.setAttribute("role", "region");
      wrapper.setAttribute("aria-labelledby", names.map(idOf).join(" "));
    }
    parent.insertBefore(wrapper, table);
    wrapper.appendChild(table);
  });
  focusableWhenScrolling();
}
function idOf(element) {
  if (!element.id) {
    element.id = "table-name-" + Math.random().toString(36).slice(2);
  }
  return element.id;
}
function focusableWhenScrolling() {
  Array.prototype.forEach.call(document.querySelectorAll(".table-scroll[data-made]"), function (box) {
    if (box.scrollWidth > box.clientWidth) {
      box.tabIndex = 0;
    } else {
      box.removeAttribute("tabindex");
    }
  });
}
scrollableTables(document);
document.addEventListener("htmx:load", function (event) {
  scrollableTables(event.target.parentElement || document);
});
window.addEventListener("resize", focusableWhenScrolling);
// Browsers without ::details-content cannot show a closed <details> open: on a wide
// screen, open the consortium's tabs menu instead.
if (!(window.CSS && CSS.supports && CSS.supports("selector(::details-content)"))) {
  if (window.matchMedia("(min-width: 48rem)").matches) {
    Array.prototype.forEach.call(document.querySelectorAll("details.tabs-menu"), function (menu) {
      menu.open = true;
    });
  }
}
