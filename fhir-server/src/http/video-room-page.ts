import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { Context, Next } from 'koa';

/**
 * A minimal video room page, opened by the clinician portal: `/video/room#token=<token>`
 * joins the built-in WebRTC room; `#provider=twilio&room=<room>&token=<access token>` joins the
 * Twilio Video room with twilio-video's browser bundle, served by this server at
 * `/video/twilio-video.min.js` (no CDN; loaded only in Twilio mode). The token stays in the
 * fragment, never sent to the server by the browser. The page shows the local and the remote
 * video, and exposes `window.medbuddyVideo.framesDecoded()` (built-in mode) for end-to-end tests.
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
  let ws, pc, stream, iceServers = [], queue = Promise.resolve();
  const send = (message) => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify(message));

  function newPeerConnection() {
    if (pc) pc.close();
    pc = new RTCPeerConnection({ iceServers });
    for (const track of stream.getTracks()) pc.addTrack(track, stream);
    pc.onicecandidate = (e) => e.candidate && send({ type: 'ice', candidate: e.candidate.toJSON() });
    pc.ontrack = (e) => { remote.srcObject = e.streams[0]; };
    pc.onconnectionstatechange = () => { document.body.dataset.connection = pc.connectionState; say('Connection: ' + pc.connectionState); };
  }

  async function handle(m) {
    switch (m.type) {
      case 'joined':
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
    const joined = await Video.connect(token, { name: room, tracks: stream.getTracks() });
    const showRemote = () => {
      const other = Array.from(joined.participants.values())[0];
      const tracks = other ? Array.from(other.tracks.values()).map((p) => p.track).filter((t) => t && t.kind !== 'data').map((t) => t.mediaStreamTrack) : [];
      remote.srcObject = tracks.length ? new MediaStream(tracks) : null;
      document.body.dataset.connection = other ? 'connected' : 'waiting';
      say(other ? 'Connection: connected' : 'Waiting for the other participant…');
    };
    const follow = (participant) => {
      participant.on('trackSubscribed', showRemote);
      participant.on('trackUnsubscribed', showRemote);
    };
    joined.participants.forEach(follow);
    joined.on('participantConnected', (participant) => { follow(participant); showRemote(); });
    joined.on('participantDisconnected', showRemote);
    joined.on('reconnecting', () => say('Reconnecting…'));
    joined.on('reconnected', showRemote);
    joined.on('disconnected', (_room, error) => say(error && error.code === 53118 ? 'The consultation has ended.' : 'Disconnected' + (error ? ' (' + error.code + ': ' + error.message + ')' : '')));
    window.addEventListener('pagehide', () => joined.disconnect());
    showRemote();
  }

  async function start() {
    if (!token) return say('This page needs a room token (#token=...).');
    stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
    local.srcObject = stream;
    if (fragment.get('provider') === 'twilio') {
      return startTwilio(fragment.get('room') || '').catch((err) => say('Could not join the Twilio room: ' + err.message));
    }
    ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/video/signal');
    ws.onopen = () => send({ type: 'join', token });
    ws.onmessage = (e) => { const m = JSON.parse(e.data); queue = queue.then(() => handle(m)).catch((err) => say(String(err))); };
    ws.onclose = (e) => say('Disconnected (' + e.code + (e.reason ? ': ' + e.reason : '') + ')');
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
