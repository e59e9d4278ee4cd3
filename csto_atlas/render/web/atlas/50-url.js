/* The view in the page URL (?year=, ?country=) and session storage: Back and Forward. */

// --- the URL: the view, Back and Forward -------------------------------------------------

/* The window whose URL holds the view: in the app, the app's page around streamlit-folium's
   frame (same origin); in the static atlas (config.ownPage), this page itself, framed or not. */
/** @param {Atlas} atlas */
function pageWindow(atlas) {
  if (atlas.config.ownPage) {
    return window;
  }
  try {
    var page = window.parent;
    return page && page !== window && page.location.href ? page : null;
  } catch (error) {
    return null; /* a cross-origin parent: the view stays in this frame */
  }
}

/** @param {Atlas} atlas */
function viewFromUrl(atlas, href) {
  var params = new URL(href).searchParams;
  if (!params.has("year") && !params.has("country")) {
    return null;
  }
  var text = (params.get("year") || "").trim();
  var year = /^[0-9]{4}$/.test(text) ? parseInt(text, 10) : NaN;
  var inRange = year >= atlas.config.first && year <= atlas.config.last;
  var country = (params.get("country") || "").trim().toUpperCase();
  return {
    year: inRange ? year : atlas.config.year,
    country: atlas.regionLayers[country] ? country : null,
  };
}

function storedView() {
  try {
    return JSON.parse(window.sessionStorage.getItem(VIEW_KEY) || "null");
  } catch (error) {
    return null;
  }
}

/** @param {Atlas} atlas */
function openingView(atlas) {
  var page = pageWindow(atlas);
  var fromUrl = page ? viewFromUrl(atlas, page.location.href) : null;
  var view = fromUrl || storedView() || { year: atlas.config.year, country: null };
  return { year: clampYear(atlas, view.year), country: view.country };
}

/* how: "push" (a new country: a new history entry) or "replace" (the year). */
/** @param {Atlas} atlas */
function saveView(atlas, how) {
  var view = { year: atlas.year, country: atlas.selected };
  try {
    window.sessionStorage.setItem(VIEW_KEY, JSON.stringify(view));
  } catch (error) {
    /* storage refused: the URL still keeps the view */
  }
  var page = pageWindow(atlas);
  if (!page) {
    return;
  }
  var url = new URL(page.location.href);
  url.searchParams.set("year", String(view.year));
  if (view.country) {
    url.searchParams.set("country", view.country);
  } else {
    url.searchParams.delete("country");
  }
  if (how === "push") {
    page.history.pushState({ cstoAtlas: view }, "", url.toString());
  } else {
    page.history.replaceState(page.history.state, "", url.toString());
  }
}

/** @param {Atlas} atlas */
function followHistory(atlas) {
  var page = pageWindow(atlas);
  if (!page) {
    return;
  }
  var onPopState = function () {
    var view = viewFromUrl(atlas, page.location.href);
    if (view) {
      stopPlaying(atlas);
      setYear(atlas, view.year, null);
      selectCountry(atlas, view.country, null);
    }
  };
  page.addEventListener("popstate", onPopState);
  window.addEventListener("pagehide", function () {
    page.removeEventListener("popstate", onPopState);
  });
}
