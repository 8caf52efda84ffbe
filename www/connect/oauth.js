// One popup attempt of the widget's OAuth flow (spec §3.5), loaded by the widget with a dynamic
// `import()` only when an OAuth press starts one, so that the first load of /connect/ does not
// carry it (crates/connkit-widget/src/oauth/attempt.rs is its caller). cargo xtask minifies it
// beside the widget's bundles.
//
// The attempt listens to the WebSocket to the API (its `connection_ack` names the popup's
// `ws_client_id`, and its `success` or `error` message ends the attempt), to the callback page's
// messages (a `postMessage` from the API origin, answered with Connect UI's ack, and
// `BroadcastChannel('nango-oauth-callback')`), and polls the popup's `closed` flag.
//
// Closed-window detection never ends the attempt by itself: a provider page that sends
// `Cross-Origin-Opener-Policy` cuts the popup off from its opener, which then reads `closed` as
// true while the person is still signing in. The attempt ends only with an outcome from the
// WebSocket or the callback page, or a person's cancel; a popup that reads closed for `GRACE`
// is only reported (`onPopup(true)`), and the WebSocket stays open, so a flow that goes on still
// finishes.
//
// Every outcome is told as the WebSocket tells it (`{message_type: 'success' | 'error', …}`), or
// `null` when the API could not be reached; the widget reads it. Knows nothing about the widget's
// views, forms or languages.

/** How long the popup must read closed before it is reported: longer than the callback page
 * takes to close itself after telling its outcome, so a finished flow never reports it. */
const GRACE = 3000;

/** How often the popup's `closed` flag is read (Nango's SDK: 500 ms). */
const POLL = 500;

/** The channel the callback page also posts on. */
const CHANNEL = 'nango-oauth-callback';

/**
 * Starts an attempt in `popup` (opened blank in the click handler) for `connectUrl`
 * (`/oauth/connect/…` without its `ws_client_id`). `onPopup(closed)` hears each poll: true once
 * the popup has read closed for the grace period, false while it reads open. The attempt's
 * `done` promise gives its outcome, once; `close()` detaches everything and closes a popup still
 * open.
 */
export function attempt(websocketUrl, connectUrl, apiOrigin, popup, onPopup) {
  let wsClientId = null;
  let closedSince = null;
  let finish;
  let finished = false;
  const done = new Promise((resolve) => {
    finish = (outcome) => {
      if (!finished) {
        finished = true;
        resolve(outcome);
      }
    };
  });
  const navigate = () => {
    if (popup && wsClientId !== null) {
      popup.location.href = `${connectUrl}&ws_client_id=${encodeURIComponent(wsClientId)}`;
    }
  };

  let socket;
  try {
    socket = new WebSocket(websocketUrl);
  } catch {
    finish(null);
    return { done, reopen() {}, cancel() {}, close() {} };
  }
  socket.onmessage = (ev) => {
    let message;
    try {
      message = JSON.parse(ev.data);
    } catch {
      return;
    }
    if (message?.message_type === 'connection_ack') {
      if (typeof message.ws_client_id === 'string') {
        wsClientId = message.ws_client_id;
        navigate();
      }
    } else if (
      message?.message_type === 'error' ||
      (message?.message_type === 'success' &&
        typeof message.provider_config_key === 'string' &&
        typeof message.connection_id === 'string')
    ) {
      finish(message);
    }
  };
  // Before the ack, a socket that fails or closes ends the attempt (the popup has nowhere to
  // go); after it, the callback page can still tell the outcome.
  socket.onerror = socket.onclose = () => {
    if (wsClientId === null) finish(null);
  };

  // A callback page's message: its error ends the attempt, and so does its success when it names
  // the connection (connkit's page does; Nango's leaves that to the WebSocket). A message naming
  // another flow's `wsClientId` is not this attempt's; one naming none is taken only from
  // `postMessage` (`trustedWithoutId`), as Connect UI does. True when it was this attempt's.
  const onPage = (data, trustedWithoutId) => {
    const payload = data?.payload ?? {};
    const theirs = typeof payload.wsClientId === 'string' ? payload.wsClientId : null;
    const ours = theirs === null ? trustedWithoutId : theirs === wsClientId;
    if (!ours) return false;
    const text = (k) => (typeof payload[k] === 'string' ? payload[k] : null);
    if (data.type === 'nango_oauth_callback_error') {
      finish({
        message_type: 'error',
        error_type: text('errorType') || 'connection_validation_failed',
        error_desc: text('message') ?? '',
      });
      return true;
    }
    if (data.type === 'nango_oauth_callback_success') {
      const key = text('providerConfigKey');
      const id = text('connectionId');
      if (key !== null && id !== null) {
        finish({ message_type: 'success', provider_config_key: key, connection_id: id });
      }
      return true;
    }
    return false;
  };
  const onWindow = (ev) => {
    // Only the API origin's pages, never this window's own messages (Connect UI).
    if (ev.origin !== apiOrigin || ev.source === window) return;
    // A window of another origin is reachable only through its `postMessage`.
    if (onPage(ev.data, true)) ev.source?.postMessage({ type: 'nango_oauth_callback_ack' }, ev.origin);
  };
  window.addEventListener('message', onWindow);
  let channel = null;
  try {
    channel = new BroadcastChannel(CHANNEL);
    channel.onmessage = (ev) => onPage(ev.data, false);
  } catch {
    // No channel in this browser: the WebSocket and `postMessage` remain.
  }

  const poll = setInterval(() => {
    if (finished) return;
    let closed = true;
    try {
      closed = !popup || popup.closed;
    } catch {
      // A popup that cannot be read counts as closed.
    }
    if (!closed) {
      closedSince = null;
      onPopup(false);
      return;
    }
    const now = Date.now();
    closedSince ??= now;
    if (now - closedSince >= GRACE) onPopup(true);
  }, POLL);

  return {
    done,
    /** Goes on in `next`, a new window the person opened after the first one closed. */
    reopen(next) {
      popup = next;
      closedSince = null;
      navigate();
    },
    /** Ends the attempt as the person asked: `window_closed`, as Nango's SDK reports it. */
    cancel() {
      finish({ message_type: 'error', error_type: 'window_closed' });
    },
    close() {
      socket.onmessage = socket.onerror = socket.onclose = null;
      socket.close();
      window.removeEventListener('message', onWindow);
      if (channel) {
        channel.onmessage = null;
        channel.close();
      }
      clearInterval(poll);
      if (popup && !popup.closed) popup.close();
      popup = null;
    },
  };
}
