// Light, dark or the system's choice, remembered in this browser. The choice is an attribute
// on <html> that the CSS variables and the charts both follow.
export type ThemeChoice = 'system' | 'light' | 'dark';
const STORAGE_KEY = 'loupe.theme';

export function savedTheme(): ThemeChoice {
  const value = localStorage.getItem(STORAGE_KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

export function applyTheme(choice: ThemeChoice): void {
  if (choice === 'system') {
    localStorage.removeItem(STORAGE_KEY);
    delete document.documentElement.dataset.theme;
  } else {
    localStorage.setItem(STORAGE_KEY, choice);
    document.documentElement.dataset.theme = choice;
  }
  dispatchEvent(new Event('loupe:theme'));
}

export function isDark(): boolean {
  const forced = document.documentElement.dataset.theme;
  return forced ? forced === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
}

/** Chart colours read from the page's CSS variables, so charts follow the theme. */
export function chartColors(): { text: string; line: string } {
  const style = getComputedStyle(document.documentElement);
  return { text: style.getPropertyValue('--muted').trim() || '#888', line: style.getPropertyValue('--line').trim() || '#ddd' };
}
