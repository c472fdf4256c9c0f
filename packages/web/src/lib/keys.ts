/**
 * Keyboard shortcuts: one document listener; views register their keys while mounted. Keys are
 * ignored while typing in a field (except Escape) and with Ctrl/Alt/Meta held.
 */
import { useEffect, useRef } from 'preact/hooks';

type Handlers = Record<string, (e: KeyboardEvent) => void>;
const stack: { current: Handlers }[] = [];

export function isTyping(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null;
  if (!el?.tagName) return false;
  if (el.isContentEditable) return true;
  if (el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return true;
  if (el.tagName !== 'INPUT') return false;
  return !['checkbox', 'radio', 'button', 'submit'].includes((el as HTMLInputElement).type);
}

document.addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.altKey || e.metaKey || e.defaultPrevented) return;
  if (isTyping(e.target) && e.key !== 'Escape') return;
  if (document.querySelector('dialog[open]') && e.key !== 'Escape') return;
  for (let i = stack.length - 1; i >= 0; i--) {
    const h = (stack[i] as { current: Handlers }).current[e.key];
    if (h) {
      e.preventDefault();
      h(e);
      return;
    }
  }
});

/** Registers `handlers` (by `KeyboardEvent.key`) while the caller is mounted; later views win. */
export function useShortcuts(handlers: Handlers): void {
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => {
    stack.push(ref);
    return () => {
      const i = stack.indexOf(ref);
      if (i >= 0) stack.splice(i, 1);
    };
  }, []);
}

export const SHORTCUTS: [string, string][] = [
  ['j / k', 'Next / previous request (inbox and detail)'],
  ['Enter', 'Open the selected request'],
  ['/', 'Search the inbox'],
  ['a', 'Approve: focus the reason, Enter records it (after edits: Enter opens the review of your changes)'],
  ['r', 'Reject: focus the reason, Enter records it'],
  ['e', 'Edit the amount (or the field the template lists first, or the focused one): value kept, caret at its end'],
  ['x', 'Select the request for bulk approval (inbox)'],
  ['g then i / h', 'Go to the inbox / history'],
  ['?', 'Show this help'],
  ['Esc', 'Close help, cancel an edit'],
];
