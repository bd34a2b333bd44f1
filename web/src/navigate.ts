// Moves the single-page app to another path (and query) without a reload; the app follows
// popstate, as it does for the browser's back and forward.
export function navigate(path: string): void {
  history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}
