// The console's video player: a task's live HLS stream while it renders, then the finished MP4
// from the same position. The stream plays through hls.js over Media Source Extensions (the
// npm package, embedded in dh and served as /console/hls.js, fetched on first use), else through
// the browser's own HLS support. Nothing is loaded from other sites.
'use strict';

window.DhPlayer = (() => {
  const HLS_SCRIPT = '/console/hls.js';
  let hlsLoading = null;

  // Resolves to the Hls class, or null when it is not part of this build or cannot run here.
  function loadHls() {
    if (!hlsLoading) {
      hlsLoading = new Promise((resolve) => {
        if (window.Hls) {
          resolve(window.Hls);
          return;
        }
        const script = document.createElement('script');
        script.src = HLS_SCRIPT;
        script.onload = () => resolve(window.Hls || null);
        script.onerror = () => resolve(null);
        document.head.appendChild(script);
      }).then((Hls) => (Hls && Hls.isSupported() ? Hls : null));
    }
    return hlsLoading;
  }

  function nativeHls(video) {
    return video.canPlayType('application/vnd.apple.mpegurl') !== '';
  }

  // Starts playback; a browser that refuses sound without a click gets it muted (the controls
  // can unmute).
  function start(video) {
    video.play().catch(() => {
      video.muted = true;
      video.play().catch(() => {});
    });
  }

  class Player {
    constructor(video) {
      this.video = video;
      this.hls = null;
      this.streamUrl = '';
      this.fileUrl = '';
      this.onProblem = () => {};  // (message) when the stream cannot be played
    }

    // What is playing: 'stream-mse', 'stream-native', 'file' or 'none'.
    get mode() {
      if (this.hls) return 'stream-mse';
      if (this.streamUrl) return 'stream-native';
      return this.fileUrl ? 'file' : 'none';
    }

    // Plays the HLS playlist at `url` from its start. Resolves to false when this browser can
    // play it neither way (the caller then waits for the finished file).
    async playStream(url) {
      if (this.streamUrl === url) return true;
      this.reset();
      this.streamUrl = url;
      const Hls = await loadHls();
      if (this.streamUrl !== url) return false;  // replaced meanwhile
      const video = this.video;
      if (Hls) {
        // No worker: the page's Content-Security-Policy allows scripts from this server only.
        const hls = new Hls({ enableWorker: false, startPosition: 0 });
        this.hls = hls;
        hls.on(Hls.Events.ERROR, (event, data) => {
          if (!data.fatal || this.hls !== hls) return;
          if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
            hls.recoverMediaError();
          } else {
            this.onProblem(`the live stream stopped (${data.details})`);
          }
        });
        hls.on(Hls.Events.MANIFEST_PARSED, () => start(video));
        hls.loadSource(url);
        hls.attachMedia(video);
        return true;
      }
      if (nativeHls(video)) {
        video.src = url;
        start(video);
        return true;
      }
      this.streamUrl = '';
      return false;
    }

    // Plays the finished file at `url`. `continuing`: it is the file of the stream showing, so
    // playback goes on from the stream's position (and keeps playing if it was).
    playFile(url, { continuing = false } = {}) {
      if (this.fileUrl === url) return;
      const video = this.video;
      const fromStream = continuing && this.mode.startsWith('stream');
      const position = fromStream ? video.currentTime : 0;
      const playing = fromStream && !video.paused && !video.ended;
      this.reset();
      this.fileUrl = url;
      video.src = url;
      if (position > 0) {
        video.addEventListener('loadedmetadata', () => {
          if (position < video.duration) video.currentTime = position;
          if (playing) start(video);
        }, { once: true });
      }
    }

    reset() {
      if (this.hls) {
        this.hls.destroy();
        this.hls = null;
      }
      this.streamUrl = '';
      this.fileUrl = '';
      this.video.removeAttribute('src');
      this.video.load();
    }
  }

  return { Player };
})();
