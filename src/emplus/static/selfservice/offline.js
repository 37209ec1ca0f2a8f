/* EMPLOYMENT+ offline queue. Forms marked data-offline keep working without a connection: the
   entry is stored in this browser (IndexedDB) with an idempotency key and sent when the
   connection returns; the server saves each key once and answers a resend with the first
   result. A conflict is shown with a choice (save anyway or discard), never overwritten.
   Logging out deletes the queue and every cache. No personal data is stored besides the
   entries themselves. */
(function () {
  "use strict";

  const script = document.currentScript;
  const config = script ? script.dataset : {};
  const USER = config.user || "";
  const SYNC_URL = config.sync || "";
  const SW_URL = config.sw || "";
  const OFFLINE = self.EMPLUS_OFFLINE || { routes: [], outbox: "" };
  const DB_NAME = "emplus-offline";
  const STORE = "outbox";
  const texts = (() => {
    const node = document.getElementById("offline-i18n");
    try {
      return node ? JSON.parse(node.textContent) : {};
    } catch (error) {
      return {};
    }
  })();
  const t = (name, n) => (texts[name] || name).replace("%(n)s", String(n));

  // --- storage --------------------------------------------------------------------------------

  function openDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "key" });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function withStore(mode, work) {
    const db = await openDb();
    try {
      return await new Promise((resolve, reject) => {
        const transaction = db.transaction(STORE, mode);
        const request = work(transaction.objectStore(STORE));
        let result;
        if (request) request.onsuccess = () => (result = request.result);
        transaction.oncomplete = () => resolve(result);
        transaction.onerror = () => reject(transaction.error);
        transaction.onabort = () => reject(transaction.error);
      });
    } finally {
      db.close(); // an open connection would block the deletion at log-out
    }
  }

  const putEntry = (entry) => withStore("readwrite", (store) => store.put(entry));
  const deleteEntry = (key) => withStore("readwrite", (store) => store.delete(key));
  const allEntries = () => withStore("readonly", (store) => store.getAll());

  // Only this account's entries (or, on a participant's link page, that link's).
  async function myEntries() {
    const entries = (await allEntries()) || [];
    return entries
      .filter((entry) => (USER ? entry.user === USER : entry.kind === "link" && entry.url === location.pathname))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async function clearEverything() {
    await new Promise((resolve) => {
      const request = indexedDB.deleteDatabase(DB_NAME);
      request.onsuccess = request.onerror = request.onblocked = () => resolve();
    });
    if (self.caches) {
      for (const key of await caches.keys()) await caches.delete(key);
    }
    if (navigator.serviceWorker) {
      for (const registration of await navigator.serviceWorker.getRegistrations()) {
        await registration.unregister();
      }
    }
    try {
      localStorage.removeItem("emplus-shells");
    } catch (error) {
      /* storage may be disabled */
    }
  }

  function newKey() {
    if (self.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  function cookie(name) {
    const match = document.cookie.match(new RegExp(`(?:^|; )${name}=([^;]*)`));
    return match ? decodeURIComponent(match[1]) : "";
  }

  // --- queueing a form ------------------------------------------------------------------------

  function targetOf(form) {
    const data = form.dataset;
    const target = { participant: data.participant || "", enrolment: data.enrolment || "", month: data.month || "" };
    if (form.hasAttribute("data-from-path")) {
      const route = OFFLINE.routes.find((candidate) => candidate.pattern.test(location.pathname));
      const groups = route ? location.pathname.match(route.pattern).groups : {};
      Object.assign(target, {
        participant: groups.participant || "",
        enrolment: groups.enrolment || "",
        month: groups.month || "",
      });
    }
    return target;
  }

  function fieldsOf(form, keep) {
    const data = {};
    for (const [name, value] of new FormData(form).entries()) {
      if (keep || !["csrfmiddlewaretoken", "key", "base"].includes(name)) data[name] = String(value);
    }
    return data;
  }

  function formComplete(form) {
    // Every radio group needs an answer; other fields use the browser's own checks.
    const groups = new Set(Array.from(form.querySelectorAll("input[type=radio]"), (input) => input.name));
    for (const name of groups) {
      if (!form.querySelector(`input[type=radio][name="${CSS.escape(name)}"]:checked`)) return false;
    }
    return Array.from(form.elements).every((element) => element.type === "radio" || !element.willValidate || element.checkValidity());
  }

  async function queueForm(form) {
    const kind = form.dataset.offline;
    const status = form.querySelector("[data-offline-status]") || document.getElementById("offline-status");
    if (!formComplete(form)) {
      say(status, t("missing_answers"), "error");
      return;
    }
    const keyInput = form.querySelector("input[name=key]");
    const shell = form.hasAttribute("data-offline-only");
    const entry = {
      // A real page's own key, so an ordinary post that half-arrived and this entry are one;
      // a shell is cached, so its key would repeat: a new one for every entry.
      key: keyInput && !shell ? keyInput.value : newKey(),
      user: USER,
      kind,
      url: kind === "link" ? location.pathname : "",
      ...targetOf(form),
      base: shell ? "" : form.dataset.base || "",
      data: fieldsOf(form, kind === "link"),
      createdAt: new Date().toISOString(),
      state: "waiting",
      message: "",
      force: false,
    };
    if (kind !== "link" && !entry.participant) {
      say(status, t("no_target"), "error");
      return;
    }
    await putEntry(entry);
    if (keyInput && kind !== "link") keyInput.value = newKey(); // the next entry is another one
    if (kind !== "link") form.reset();
    say(status, t(kind === "link" ? "queued_public" : "queued"), "ok");
    await render();
  }

  function say(node, message, tone) {
    if (!node) return;
    node.hidden = false;
    node.textContent = message;
    node.dataset.tone = tone || "";
  }

  // --- sending --------------------------------------------------------------------------------

  async function send(entry) {
    let response;
    if (entry.kind === "link") {
      response = await fetch(entry.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": cookie("csrftoken") },
        body: new URLSearchParams(entry.data),
      });
    } else {
      response = await fetch(SYNC_URL, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          Accept: "application/json",
          "Content-Type": "application/json",
          "X-CSRFToken": cookie("csrftoken"),
        },
        body: JSON.stringify({
          key: entry.key,
          kind: entry.kind,
          participant: entry.participant,
          enrolment: entry.enrolment || null,
          month: entry.month || null,
          base: entry.base || "",
          force: Boolean(entry.force),
          data: entry.data,
        }),
      });
    }
    let body = {};
    try {
      body = await response.json();
    } catch (error) {
      body = {};
    }
    if (response.status === 200 || response.status === 201) {
      await deleteEntry(entry.key);
      return "sent";
    }
    if (response.status === 409 || response.status === 410 || response.status === 404) {
      await putEntry({ ...entry, state: "conflict", force: false, message: body.message || "" });
      return "kept";
    }
    if (response.status === 400 || response.status === 422) {
      const details = body.errors ? Object.values(body.errors).flat().join(" ") : "";
      await putEntry({ ...entry, state: "invalid", message: [body.message, details].filter(Boolean).join(" ") });
      return "kept";
    }
    if (response.status === 401 || response.status === 403) {
      await putEntry({ ...entry, state: "login", message: "" });
      return "stop";
    }
    return "stop"; // busy or a server error: try again later
  }

  let flushing = false;
  async function flush() {
    if (flushing || !navigator.onLine) return;
    flushing = true;
    let sent = 0;
    try {
      const run = async () => {
        for (const entry of await myEntries()) {
          if (!["waiting", "login"].includes(entry.state)) continue;
          let outcome;
          try {
            outcome = await send(entry);
          } catch (error) {
            break; // the network is gone again
          }
          if (outcome === "sent") sent += 1;
          if (outcome === "stop") break;
        }
      };
      // One sender per browser, not one per tab (a second one would only get replays).
      if (navigator.locks) await navigator.locks.request("emplus-outbox", run);
      else await run();
    } finally {
      flushing = false;
    }
    if (sent) {
      const status = document.querySelector("[data-offline-status]");
      if (!USER && status) say(status, t("sent_public"), "ok");
      announce(t("sent", sent));
    }
    await render();
  }

  function announce(message) {
    const node = document.getElementById("offline-announce");
    if (node) node.textContent = message;
  }

  // --- showing the queue ----------------------------------------------------------------------

  function formatTime(iso) {
    const date = new Date(iso);
    const pad = (n) => String(n).padStart(2, "0");
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
  }

  function button(label, onClick, extraClass) {
    const node = document.createElement("button");
    node.type = "button";
    node.className = `button ${extraClass || ""}`.trim();
    node.textContent = label;
    node.addEventListener("click", onClick);
    return node;
  }

  async function render() {
    let entries = [];
    try {
      entries = await myEntries();
    } catch (error) {
      return; // IndexedDB unavailable (private mode): nothing was queued either
    }
    const banner = document.getElementById("offline-status");
    if (banner && USER) {
      banner.textContent = "";
      if (!navigator.onLine) banner.append(t("offline"), " ");
      if (entries.length) {
        banner.append(t(entries.length === 1 ? "waiting_one" : "waiting_other", entries.length), " ");
        if (OFFLINE.outbox && location.pathname !== OFFLINE.outbox) {
          const link = document.createElement("a");
          link.href = OFFLINE.outbox;
          link.textContent = t("show");
          banner.append(link);
        }
      }
      banner.hidden = !entries.length && navigator.onLine;
    }
    const list = document.querySelector("[data-outbox-list]");
    if (!list) return;
    list.textContent = "";
    if (!entries.length) {
      const empty = document.createElement("p");
      empty.textContent = t("empty");
      list.append(empty);
      return;
    }
    const table = document.createElement("table");
    const head = table.createTHead().insertRow();
    for (const name of ["what", "saved_at", "state", "actions"]) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = t(name);
      head.append(th);
    }
    const body = table.createTBody();
    for (const entry of entries) {
      const row = body.insertRow();
      row.dataset.key = entry.key;
      row.className = `entry state-${entry.state}`;
      const what = document.createElement("th");
      what.scope = "row";
      what.textContent = t(`kind_${entry.kind}`) + (entry.month ? ` ${entry.month}` : "");
      row.append(what);
      row.insertCell().textContent = formatTime(entry.createdAt);
      const state = row.insertCell();
      state.textContent = t(`state_${entry.state}`);
      if (entry.message) {
        const message = document.createElement("p");
        message.className = "entry-message";
        message.textContent = entry.message;
        state.append(message);
      }
      const actions = row.insertCell();
      if (entry.state === "conflict") {
        actions.append(
          button(t("save_anyway"), async () => {
            await putEntry({ ...entry, state: "waiting", force: true, message: "" });
            await flush();
          })
        );
      }
      if (entry.state !== "waiting") {
        actions.append(
          " ",
          button(
            t("discard"),
            async () => {
              if (!confirm(t("discard_confirm"))) return;
              await deleteEntry(entry.key);
              await render();
            },
            "secondary"
          )
        );
      }
    }
    list.append(table);
  }

  // --- wiring ---------------------------------------------------------------------------------

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.matches("form[data-logout]")) {
      event.preventDefault();
      (async () => {
        let waiting = [];
        try {
          waiting = await myEntries();
        } catch (error) {
          waiting = [];
        }
        if (waiting.length && !confirm(t("logout_confirm", waiting.length))) return;
        await clearEverything();
        // A shell kept by the service worker may carry an older token: the cookie's is current.
        const token = form.querySelector("input[name=csrfmiddlewaretoken]");
        if (token && cookie("csrftoken")) token.value = cookie("csrftoken");
        form.submit();
      })();
      return;
    }
    if (!form.dataset.offline) return;
    if (!form.hasAttribute("data-offline-only") && navigator.onLine) return; // an ordinary post
    event.preventDefault();
    queueForm(form);
  });

  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-outbox-send]")) flush();
    if (event.target.closest("[data-print]")) window.print();
  });

  window.addEventListener("online", flush);
  window.addEventListener("offline", render);

  // A shell was rendered when it was cached: its dates start at today, not at that day.
  const today = (() => {
    const now = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  })();
  for (const input of document.querySelectorAll("form[data-offline-only] input[type=date]")) {
    input.value = today;
  }

  // Shells opened without a participant in the address cannot save.
  for (const form of document.querySelectorAll("form[data-from-path]")) {
    if (!targetOf(form).participant) {
      const note = document.querySelector("[data-shell-missing]");
      if (note) note.hidden = false;
      form.querySelector("button[type=submit]").disabled = true;
    }
  }

  if (USER && SW_URL && "serviceWorker" in navigator) {
    navigator.serviceWorker
      .register(SW_URL, { scope: "/" })
      .then(() => navigator.serviceWorker.ready)
      .then((registration) => {
        // Shells are per account and language: refresh them when either changes.
        const wanted = `${USER}|${document.documentElement.lang}`;
        let kept = "";
        try {
          kept = localStorage.getItem("emplus-shells") || "";
        } catch (error) {
          kept = "";
        }
        if (kept && kept !== wanted && registration.active) {
          registration.active.postMessage({ type: "refresh" });
        }
        try {
          localStorage.setItem("emplus-shells", wanted);
        } catch (error) {
          /* storage may be disabled */
        }
      })
      .catch(() => {
        /* no service worker (an insecure origin): the queue still works on open pages */
      });
  }

  render().then(flush);
  setInterval(() => {
    if (navigator.onLine) flush();
  }, 30000);

  // For the browser tests and the curious: what is waiting, without personal data exposed
  // beyond what is already in this browser.
  self.emplusOffline = { entries: myEntries, flush, clear: clearEverything };
})();
