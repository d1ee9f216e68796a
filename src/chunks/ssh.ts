// ssh2, loaded on first use (its own bundle, dist/chunks/ssh.js): the SSH tunnel of
// src/ssh/Ssh2Tunnel.ts.
export { openSshTunnel } from '../ssh/Ssh2Tunnel';
