/* Installed by the benchmark in every document (Playwright init script): the top page and the
 * map's iframe alike. It only observes: it records when the benchmark's key presses and clicks
 * reach the page, and answers the benchmark's polls (run every animation frame by
 * wait_for_function) about what the map shows. All times are absolute milliseconds
 * (performance.timeOrigin + a DOMHighResTimeStamp), so times taken in the iframe and in the top
 * page compare directly.
 */
(function () {
  "use strict";
  if (window.__cstoBench) {
    return;
  }
  var own = { lastKey: null, lastPointer: null, waits: {} };
  window.__cstoBench = own;

  function hub() {
    try {
      return window.top.__cstoBench || own;
    } catch (error) {
      return own;
    }
  }

  function now() {
    return performance.timeOrigin + performance.now();
  }

  function eventTime(event) {
    /* When the browser created the input event: it includes any wait for a busy page. */
    return performance.timeOrigin + event.timeStamp;
  }

  window.addEventListener("keydown", function (event) {
    if (hub().lastKey === null) {
      hub().lastKey = eventTime(event);
    }
  }, true);
  window.addEventListener("pointerdown", function (event) {
    if (hub().lastPointer === null) {
      hub().lastPointer = eventTime(event);
    }
  }, true);

  own.sent = [];
  own.received = [];
  if (window === window.top && window.WebSocket) {
    /* Streamlit's websocket (top page only): when each message is sent and received. */
    var Native = window.WebSocket;
    var nativeSend = Native.prototype.send;
    Native.prototype.send = function () {
      own.sent.push(now());
      return nativeSend.apply(this, arguments);
    };
    var Observed = function (url, protocols) {
      var socket = protocols === undefined ? new Native(url) : new Native(url, protocols);
      socket.addEventListener("message", function () {
        own.received.push(now());
      });
      return socket;
    };
    Observed.prototype = Native.prototype;
    ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach(function (name) {
      Observed[name] = Native[name];
    });
    window.WebSocket = Observed;
  }

  own.arm = function () {
    /* Forget the last key press, click and messages: the next ones start a measurement. */
    var h = hub();
    h.lastKey = null;
    h.lastPointer = null;
    h.sent = [];
    h.received = [];
    return true;
  };

  function mapDocuments(frameSelector) {
    /* This document if it holds the map, else the map iframes (frameSelector, from
       tooling/browser.py) that hold one. */
    var docs = [];
    if (document.querySelector(".leaflet-container")) {
      docs.push(document);
    }
    var frames = document.querySelectorAll(frameSelector);
    for (var i = 0; i < frames.length; i += 1) {
      try {
        var doc = frames[i].contentDocument;
        if (doc && doc.querySelector(".leaflet-container")) {
          docs.push(doc);
        }
      } catch (error) {
        /* a cross-origin frame is not the map */
      }
    }
    return docs;
  }

  var ISO = /(?:^|\s)csto-iso-([A-Z0-9]{3})(?:\s|$)/;
  var YEAR_CLASS = /(?:^|\s)bench-year-([0-9]{4})(?:\s|$)/;
  var URL_FILL = /^url\(\s*["']?#([^"')]+)["']?\s*\)$/;

  function resolveFill(doc, fill) {
    /* A pattern fill (the hatched breakaways) shows the colour of its ground rectangle. */
    var match = fill && URL_FILL.exec(fill.trim());
    if (!match) {
      return (fill || "").trim().toLowerCase();
    }
    var pattern = doc.getElementById(match[1]);
    var ground = pattern && pattern.querySelector("rect");
    return ground ? (ground.getAttribute("fill") || "").trim().toLowerCase() : "";
  }

  function readMap(doc) {
    /* A region drawn in pieces (geodata/periods.csv) has a path per piece: its fills sorted and
       joined by commas, as bench/expected.py gives them. */
    var pieces = {};
    var years = {};
    var paths = doc.querySelectorAll("path.leaflet-interactive");
    for (var i = 0; i < paths.length; i += 1) {
      var cls = paths[i].getAttribute("class") || "";
      var iso = ISO.exec(cls);
      if (!iso) {
        continue;
      }
      (pieces[iso[1]] = pieces[iso[1]] || []).push(resolveFill(doc, paths[i].getAttribute("fill")));
      var yearClass = YEAR_CLASS.exec(cls);
      if (yearClass) {
        years[yearClass[1]] = true;
      }
    }
    var year = null;
    var box = doc.querySelector(".csto-year[data-year]");
    if (box) {
      year = parseInt(box.getAttribute("data-year"), 10);
    } else if (Object.keys(years).length === 1) {
      year = parseInt(Object.keys(years)[0], 10);
    }
    var fills = {};
    Object.keys(pieces).forEach(function (code) {
      fills[code] = pieces[code].sort().join(",");
    });
    return { year: year, fills: fills };
  }

  function differences(fills, expected) {
    var wrong = [];
    Object.keys(expected).forEach(function (iso) {
      if (fills[iso] !== expected[iso]) {
        wrong.push(iso + ": " + (fills[iso] || "(no path)") + " != " + expected[iso]);
      }
    });
    Object.keys(fills).forEach(function (iso) {
      if (!(iso in expected)) {
        wrong.push(iso + ": drawn but not expected");
      }
    });
    return wrong;
  }

  function settle(wait, detail) {
    /* The check passed in this frame: the time after the next frame is when it was painted. */
    wait.matchedAt = now();
    wait.detail = detail;
    requestAnimationFrame(function () {
      wait.paintedAt = now();
    });
  }

  function finish(wait) {
    var h = hub();
    var topOrigin = null;
    try {
      topOrigin = window.top.performance.timeOrigin;
    } catch (error) {
      topOrigin = null;
    }
    wait.done = {
      detail: wait.detail,
      matchedAt: wait.matchedAt,
      paintedAt: wait.paintedAt,
      keyAt: h.lastKey,
      pointerAt: h.lastPointer,
      sent: h.sent.slice(),
      received: h.received.filter(function (t) {
        return t <= wait.matchedAt;
      }),
      navigationStart: topOrigin,
    };
    return wait.done;
  }

  function appError() {
    /* Streamlit's exception box or error alert in the top page: the app failed, stop waiting. */
    try {
      var box = window.top.document.querySelector('[data-testid="stException"]');
      return box ? { error: (box.textContent || "").slice(0, 2000) } : null;
    } catch (error) {
      return null;
    }
  }

  function checkMap(wait, arg) {
    /* arg: {frame: the map iframe's selector, expected: {year: {iso3: colour}}, year (or null:
       whatever year the map shows)}. Detail of the match once the map shows that year with
       exactly the expected colours. */
    var docs = mapDocuments(arg.frame);
    if (!docs.length) {
      wait.last = "no map document yet";
      return null;
    }
    var state = readMap(docs[docs.length - 1]);
    var shown = state.year;
    if (shown === null || (arg.year !== null && shown !== arg.year)) {
      wait.last = "map shows year " + shown + ", waiting for " + arg.year;
      return null;
    }
    var expected = arg.expected[String(shown)];
    if (!expected) {
      wait.last = "map shows year " + shown + ", which the benchmark has no colours for";
      return null;
    }
    var wrong = differences(state.fills, expected);
    if (wrong.length) {
      wait.last = "year " + shown + ": " + wrong.join("; ");
      return null;
    }
    if (arg.panelYear) {
      /* The open panel shows the same year as the map, in the same frame. */
      var panel = docs[docs.length - 1].querySelector(".csto-panel");
      var panelYear = panel ? parseInt(panel.getAttribute("data-year"), 10) : null;
      if (panelYear !== shown) {
        wait.last = "map shows " + shown + ", its panel " + panelYear;
        return null;
      }
    }
    return { year: shown, maps: docs.length };
  }

  function checkPanel(wait, arg) {
    /* arg: {selector}: detail of the match once an element matching selector is visible. */
    var panel = document.querySelector(arg.selector);
    if (!panel || !panel.getClientRects().length) {
      wait.last = "no visible " + arg.selector;
      return null;
    }
    return { text: (panel.textContent || "").slice(0, 80) };
  }

  var CHECKS = { map: checkMap, panel: checkPanel };

  function step(wait, arg) {
    /* One check of a wait: the result once matched and painted, else false. */
    if (wait.done) {
      return wait.done;
    }
    if (wait.matchedAt === undefined) {
      var failed = appError();
      if (failed) {
        wait.done = failed;
        return failed;
      }
      var detail = CHECKS[arg.kind](wait, arg);
      if (detail) {
        settle(wait, detail);
      }
      return false;
    }
    return wait.paintedAt === undefined ? false : finish(wait);
  }

  own.poll = function (arg) {
    /* For wait_for_function(polling="raf"): Playwright calls it every animation frame. */
    var wait = own.waits[arg.id] || (own.waits[arg.id] = {});
    return step(wait, arg);
  };

  own.watch = function (arg) {
    /* Start checking every animation frame from now, before the input is sent: the check
       then sees the change in the first frame it is on the page, whatever Playwright's own
       latency. `result(id)` reports the outcome. */
    var wait = (own.waits[arg.id] = {});
    function frame() {
      if (!wait.cancelled && !step(wait, arg)) {
        requestAnimationFrame(frame);
      }
    }
    requestAnimationFrame(frame);
    return true;
  };

  own.result = function (id) {
    var wait = own.waits[id];
    return wait && wait.done ? wait.done : false;
  };

  own.cancel = function (id) {
    if (own.waits[id]) {
      own.waits[id].cancelled = true;
    }
    return true;
  };

  own.why = function (id) {
    /* What the last poll of a wait saw, for the error message of a timeout. */
    var wait = own.waits[id];
    return wait ? wait.last || "matched, waiting for the paint" : "never polled";
  };

  own.pointInside = function (selector) {
    /* A point (in this document's viewport) where the element matching selector is hit. */
    var target = document.querySelector(selector);
    if (!target) {
      return null;
    }
    var box = target.getBoundingClientRect();
    var width = Math.min(box.right, window.innerWidth) - Math.max(box.left, 0);
    var height = Math.min(box.bottom, window.innerHeight) - Math.max(box.top, 0);
    if (width <= 0 || height <= 0) {
      return null;
    }
    var left = Math.max(box.left, 0);
    var top = Math.max(box.top, 0);
    var best = null;
    for (var n = 4; n <= 32 && best === null; n *= 2) {
      for (var i = 1; i < n && best === null; i += 1) {
        for (var j = 1; j < n && best === null; j += 1) {
          var x = left + (width * i) / n;
          var y = top + (height * j) / n;
          if (document.elementFromPoint(x, y) === target) {
            best = { x: x, y: y };
          }
        }
      }
    }
    return best;
  };
})();
