import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { Context, Next } from 'koa';

/**
 * A minimal video room page, opened by the clinician portal: `/video/room#token=<token>`
 * joins the built-in WebRTC room; `#provider=twilio&room=<room>&token=<access token>` joins the
 * Twilio Video room with twilio-video's browser bundle, served by this server at
 * `/video/twilio-video.min.js` (no CDN; loaded only in Twilio mode). The token stays in the
 * fragment, never sent to the server by the browser. The page shows the local and the remote
 * video, joins again by itself after a dropped connection (backing off, while the token is
 * valid; not after the end of the consultation or a join from elsewhere), and exposes `window.medbuddyVideo.framesDecoded()` (built-in mode) for end-to-end tests.
 */
const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>MedBuddy video room</title><meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<main>
<h1>Video consultation</h1>
<p id="status" role="status">Connecting…</p>
<video id="remote" autoplay playsinline aria-label="The other participant"></video>
<video id="local" autoplay playsinline muted aria-label="You"></video>
</main>
<script src="/video/room.js"></script>
</body>
</html>
`;

const SCRIPT = `'use strict';
(() => {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const token = fragment.get('token');
  const status = document.getElementById('status');
  const local = document.getElementById('local');
  const remote = document.getElementById('remote');
  const say = (text) => { status.textContent = text; };
  const show = (connection, text) => { document.body.dataset.connection = connection; say(text); };
  let ws, pc, stream, iceServers = [], queue = Promise.resolve();
  let leaving = false, retries = 0, retryTimer;
  const send = (message) => ws && ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify(message));
  window.addEventListener('pagehide', () => { leaving = true; });

  /** A dropped connection is joined again after 1 s, 2 s, 4 s ... up to 15 s, while the room token is valid. */
  const RETRY_MS = [1000, 2000, 4000, 8000, 15000];
  function retry(why, again) {
    const delay = RETRY_MS[Math.min(retries, RETRY_MS.length - 1)];
    retries++;
    remote.srcObject = null;
    show('reconnecting', why + ' Reconnecting in ' + Math.round(delay / 1000) + ' s…');
    clearTimeout(retryTimer);
    retryTimer = setTimeout(again, delay);
  }

  const ENDED = 'The consultation has ended.';
  const ELSEWHERE = 'You joined this call from another window or device, so this one was closed.';
  const FULL = 'This call already has its two participants.';
  const EXPIRED = 'Your access to this call has expired; open it again from the portal.';
  /** Close codes of the built-in signalling after which joining again cannot help. */
  const FINAL_CLOSE = { 4000: ELSEWHERE, 4001: EXPIRED, 4003: FULL, 4004: ENDED };
  /** The same for Twilio's error codes (room completed, duplicate identity, room full, token invalid or expired). */
  const FINAL_TWILIO = { 53118: ENDED, 53205: ELSEWHERE, 53105: FULL, 20101: EXPIRED, 20104: EXPIRED };

  function newPeerConnection() {
    if (pc) pc.close();
    const peer = new RTCPeerConnection({ iceServers });
    pc = peer;
    for (const track of stream.getTracks()) peer.addTrack(track, stream);
    peer.onicecandidate = (e) => e.candidate && send({ type: 'ice', candidate: e.candidate.toJSON() });
    peer.ontrack = (e) => { remote.srcObject = e.streams[0]; };
    peer.onconnectionstatechange = () => {
      if (peer !== pc) return;
      show(peer.connectionState, 'Connection: ' + peer.connectionState);
      // The media path broke (a new network): join again, which negotiates a new one.
      if (peer.connectionState === 'failed' && ws) ws.close();
    };
  }

  async function handle(m) {
    switch (m.type) {
      case 'joined':
        retries = 0;
        iceServers = m.iceServers || [];
        newPeerConnection();
        say(m.peers.length ? 'Calling…' : 'Waiting for the other participant…');
        if (m.peers.length) {
          await pc.setLocalDescription(await pc.createOffer());
          send({ type: 'offer', sdp: pc.localDescription.sdp });
        }
        break;
      case 'peer-joined':
        newPeerConnection();
        say('The other participant is joining…');
        break;
      case 'offer':
        await pc.setRemoteDescription({ type: 'offer', sdp: m.sdp });
        await pc.setLocalDescription(await pc.createAnswer());
        send({ type: 'answer', sdp: pc.localDescription.sdp });
        break;
      case 'answer':
        await pc.setRemoteDescription({ type: 'answer', sdp: m.sdp });
        break;
      case 'ice':
        await pc.addIceCandidate(m.candidate).catch(() => undefined);
        break;
      case 'peer-left':
        remote.srcObject = null;
        newPeerConnection();
        say('The other participant left; waiting…');
        break;
      case 'error':
        say(m.message);
        break;
    }
  }

  function connectSignalling() {
    const socket = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/video/signal');
    ws = socket;
    socket.onopen = () => send({ type: 'join', token });
    socket.onmessage = (e) => { const m = JSON.parse(e.data); queue = queue.then(() => handle(m)).catch((err) => say(String(err))); };
    socket.onclose = (e) => {
      if (pc) pc.close();
      pc = undefined;
      if (leaving || socket !== ws) return;
      if (FINAL_CLOSE[e.code]) return show('closed', FINAL_CLOSE[e.code]);
      retry('The connection dropped.', connectSignalling);
    };
  }

  /** Twilio Video: the SDK from this server, the same camera and microphone tracks, the other participant's tracks as one stream. */
  function loadTwilio() {
    return new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = '/video/twilio-video.min.js';
      script.onload = () => resolve(window.Twilio.Video);
      script.onerror = () => reject(new Error('the Twilio Video SDK could not be loaded'));
      document.head.appendChild(script);
    });
  }

  async function startTwilio(room) {
    const Video = await loadTwilio();
    let current;
    window.addEventListener('pagehide', () => current && current.disconnect());
    const join = async () => {
      let joined;
      try {
        joined = await Video.connect(token, { name: room, tracks: stream.getTracks() });
      } catch (error) {
        if (FINAL_TWILIO[error.code]) return show('closed', FINAL_TWILIO[error.code]);
        return retry('Could not join the call (' + error.message + ').', join);
      }
      current = joined;
      retries = 0;
      const showRemote = () => {
        const other = Array.from(joined.participants.values())[0];
        const tracks = other ? Array.from(other.tracks.values()).map((p) => p.track).filter((t) => t && t.kind !== 'data').map((t) => t.mediaStreamTrack) : [];
        remote.srcObject = tracks.length ? new MediaStream(tracks) : null;
        show(other ? 'connected' : 'waiting', other ? 'Connection: connected' : 'Waiting for the other participant…');
      };
      const follow = (participant) => {
        participant.on('trackSubscribed', showRemote);
        participant.on('trackUnsubscribed', showRemote);
      };
      joined.participants.forEach(follow);
      joined.on('participantConnected', (participant) => { follow(participant); showRemote(); });
      joined.on('participantDisconnected', showRemote);
      joined.on('reconnecting', () => show('reconnecting', 'Reconnecting…'));
      joined.on('reconnected', showRemote);
      joined.on('disconnected', (_room, error) => {
        remote.srcObject = null;
        if (leaving || !error) return show('closed', 'You left the call.');
        if (FINAL_TWILIO[error.code]) return show('closed', FINAL_TWILIO[error.code]);
        retry('The connection dropped (' + error.code + ').', join);
      });
      showRemote();
    };
    await join();
  }

  async function start() {
    if (!token) return say('This page needs a room token (#token=...).');
    stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
    local.srcObject = stream;
    if (fragment.get('provider') === 'twilio') {
      return startTwilio(fragment.get('room') || '').catch((err) => say('Could not join the Twilio room: ' + err.message));
    }
    connectSignalling();
  }

  window.medbuddyVideo = {
    async framesDecoded() {
      if (!pc) return 0;
      let frames = 0;
      (await pc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded || 0; });
      return frames;
    },
  };
  start().catch((err) => say('Camera or microphone unavailable: ' + err.message));
})();
`;

/** Twilio Video reaches its signalling and TURN over HTTPS and WebSocket at twilio.com. */
const CSP =
  "default-src 'none'; script-src 'self'; connect-src 'self' ws: wss: https://*.twilio.com; media-src 'self' blob: mediastream:; frame-ancestors 'none'; base-uri 'none'";

/** twilio-video's browser bundle, from the server's own dependency (the version the patient portal pins). */
const TWILIO_BUNDLE = path.join(path.dirname(require.resolve('twilio-video/package.json')), 'dist', 'twilio-video.min.js');
const ONE_DAY = 'public, max-age=86400';

/** Koa middleware serving the room page and its script; public, as the page holds no data. */
export function videoRoomPage() {
  return async (ctx: Context, next: Next): Promise<void> => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      return next();
    }
    if (ctx.path === '/video/twilio-video.min.js') {
      ctx.type = 'text/javascript; charset=utf-8';
      ctx.set('Cache-Control', ONE_DAY);
      ctx.body = createReadStream(TWILIO_BUNDLE);
      return;
    }
    if (ctx.path !== '/video/room' && ctx.path !== '/video/room.js') {
      return next();
    }
    ctx.set('Content-Security-Policy', CSP);
    ctx.set('Cache-Control', 'no-cache');
    // The camera and microphone for this page only.
    ctx.set('Permissions-Policy', 'camera=(self), microphone=(self)');
    if (ctx.path === '/video/room') {
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = PAGE;
    } else {
      ctx.type = 'text/javascript; charset=utf-8';
      ctx.body = SCRIPT;
    }
  };
}
