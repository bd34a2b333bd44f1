// The live event socket ({type, data, timestamp}); the session cookie authenticates it (same
// origin, so the browser sends it with the upgrade request).
import { useEffect, useRef, useState } from 'react';

export interface LiveEvent { type: string; data: Record<string, unknown>; timestamp: string }

/** Calls `onEvent` for each event while mounted; returns whether the socket is connected. */
export function useLiveEvents(onEvent: (event: LiveEvent) => void): boolean {
  const [connected, setConnected] = useState(false);
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => {
    const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/live`);
    socket.onmessage = (message) => {
      const event = JSON.parse(String(message.data)) as LiveEvent;
      if (event.type === 'connected') setConnected(true);
      else handler.current(event);
    };
    socket.onclose = () => setConnected(false);
    return () => socket.close();
  }, []);
  return connected;
}
