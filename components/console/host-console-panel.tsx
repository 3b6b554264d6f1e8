'use client';
// A host's serial console (IPMI Serial-over-LAN through the console's WebSocket,
// server/console/console-socket.ts) in an xterm.js terminal, beside a power button that
// boots the host from the network once: power-cycle, then watch it boot. Everyone may watch;
// the operator holding the keyboard types; the panel says who holds it, and an admin can
// take it over. Nothing connects until asked: opening a host's page starts no SOL session.
import '@xterm/xterm/css/xterm.css';
import type { Terminal } from '@xterm/xterm';
import { useCallback, useEffect, useRef, useState } from 'react';
import { apiRequest } from '../api-request.ts';
import { Button } from '../button.tsx';
import { Panel } from '../page-header.tsx';
import { useHydrated } from '../use-hydrated.ts';
import { openTerminal } from './xterm-with-nonce.ts';

interface ConsoleStatus {
  type: 'status';
  state: 'connecting' | 'open' | 'ended';
  holder: string | null;
  typing: boolean;
  canTake: boolean;
  viewers: number;
  detail?: string;
  endReason?: string;
}

type Connection = 'idle' | 'connecting' | 'connected' | 'closed';

function statusLine(connection: Connection, status: ConsoleStatus | null, closedReason: string): string {
  if (connection === 'idle') return 'Not connected.';
  if (connection === 'closed') return `Disconnected${closedReason ? `: ${closedReason}` : ''}.`;
  if (!status || status.state === 'connecting') return 'Connecting to the BMC…';
  if (status.state === 'ended') return `The serial console ended${status.detail ? `: ${status.detail}` : ''}.`;
  const watchers = status.viewers > 1 ? ` · ${status.viewers} watching` : '';
  if (status.typing) return `Connected · you have the keyboard${watchers}`;
  if (status.holder) return `Connected · in use by ${status.holder}: you are watching${watchers}`;
  return `Connected · you are watching${watchers}`;
}

export function HostConsolePanel({ hostId, hostname, canOperate, hasBmc }: { hostId: string; hostname: string; canOperate: boolean; hasBmc: boolean }) {
  const hydrated = useHydrated();
  const screen = useRef<HTMLDivElement>(null);
  const terminal = useRef<Terminal | null>(null);
  const socket = useRef<WebSocket | null>(null);
  const [connection, setConnection] = useState<Connection>('idle');
  const [status, setStatus] = useState<ConsoleStatus | null>(null);
  const [notice, setNotice] = useState('');
  const [closedReason, setClosedReason] = useState('');
  const [confirmPower, setConfirmPower] = useState(false);
  const [powerMessage, setPowerMessage] = useState('');
  const typing = useRef(false);

  useEffect(() => () => {
    socket.current?.close();
    terminal.current?.dispose();
  }, []);

  const connect = useCallback(async () => {
    if (socket.current && socket.current.readyState <= WebSocket.OPEN) return;
    if (!terminal.current && screen.current) {
      terminal.current = await openTerminal(screen.current, { convertEol: false, rows: 25, cols: 100, scrollback: 5000, fontSize: 13, cursorBlink: true });
      const encoder = new TextEncoder();
      terminal.current.onData((data) => {
        if (typing.current && socket.current?.readyState === WebSocket.OPEN) socket.current.send(encoder.encode(data));
      });
    }
    // xterm.js draws only while its element is on screen (it pauses rendering off screen).
    screen.current?.scrollIntoView({ block: 'nearest' });
    setConnection('connecting');
    setClosedReason('');
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/hosts/${hostId}/console`);
    ws.binaryType = 'arraybuffer';
    socket.current = ws;
    ws.onopen = () => setConnection('connected');
    ws.onmessage = (event) => {
      if (event.data instanceof ArrayBuffer) {
        terminal.current?.write(new Uint8Array(event.data));
        return;
      }
      const message = JSON.parse(String(event.data)) as ConsoleStatus | { type: 'notice'; text: string };
      if (message.type === 'notice') return setNotice(message.text);
      typing.current = message.typing;
      setStatus(message);
    };
    ws.onclose = (event) => {
      typing.current = false;
      setConnection('closed');
      setStatus(null);
      setClosedReason(event.reason || (event.code === 1006 ? 'the console server could not be reached or refused the connection' : ''));
    };
  }, [hostId]);

  const send = (message: { type: 'take' | 'release' }) => socket.current?.send(JSON.stringify(message));

  const powerCycle = async () => {
    setConfirmPower(false);
    setPowerMessage('Sending…');
    await connect();
    const result = await apiRequest<{ done?: string }>('POST', `/api/v1/hosts/${hostId}/power`, { action: 'pxe-boot' });
    setPowerMessage(result.ok ? `Booting from the network (${result.data.done ?? 'sent'}): watch it below.` : result.error);
  };

  if (!hasBmc) {
    return (
      <Panel title="Console">
        <p className="p-4 text-sm text-slate-600">{hostname} has no BMC (address, user and password): there is no serial console to show. Add them under Settings.</p>
      </Panel>
    );
  }

  const connected = connection === 'connected';
  return (
    <Panel
      title="Console"
      actions={
        <div className="flex flex-wrap items-center gap-2">
          {canOperate ? (
            confirmPower ? (
              <>
                <Button kind="danger" onClick={() => void powerCycle()}>Reboot {hostname} now</Button>
                <Button kind="secondary" onClick={() => setConfirmPower(false)}>Cancel</Button>
              </>
            ) : (
              <Button kind="secondary" disabled={!hydrated} onClick={() => setConfirmPower(true)}>Power-cycle with PXE once</Button>
            )
          ) : null}
          {connected && status?.canTake ? (
            <Button kind="secondary" onClick={() => send({ type: 'take' })}>{status.state === 'ended' ? 'Reconnect' : status.holder ? 'Take over' : 'Take the keyboard'}</Button>
          ) : null}
          {connected && status?.typing ? <Button kind="secondary" onClick={() => send({ type: 'release' })}>Release the keyboard</Button> : null}
          {connected ? (
            <Button kind="secondary" onClick={() => socket.current?.close()}>Disconnect</Button>
          ) : (
            <Button disabled={!hydrated || connection === 'connecting'} onClick={() => void connect()}>Connect</Button>
          )}
        </div>
      }
    >
      <div className="space-y-2 p-4">
        <p className="text-sm text-slate-700" data-testid="console-status" role="status">{statusLine(connection, status, closedReason)}</p>
        {notice ? <p className="text-sm text-amber-800" data-testid="console-notice">{notice}</p> : null}
        {powerMessage ? <p className="text-sm text-slate-700" data-testid="console-power">{powerMessage}</p> : null}
        <div ref={screen} data-testid="console-screen" className="min-h-24 overflow-x-auto rounded bg-black p-1" />
      </div>
    </Panel>
  );
}
