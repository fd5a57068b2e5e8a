// Starts the DKFDS components. A file, not an inline <script>: the Content-Security-Policy
// allows scripts from 'self' only.
if (window.DKFDS && window.DKFDS.init) { window.DKFDS.init(); }
