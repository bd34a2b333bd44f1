// A table row (or cell) that opens something: clicked, or reached with Tab and opened with
// Enter or Space, so the dashboard works from the keyboard too.
import type { KeyboardEvent } from 'react';

export function activates(open: () => void) {
  return {
    onClick: open,
    tabIndex: 0,
    onKeyDown: (event: KeyboardEvent) => {
      if (event.target !== event.currentTarget || (event.key !== 'Enter' && event.key !== ' ')) return;
      event.preventDefault();
      open();
    },
  };
}
