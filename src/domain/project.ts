// A project scopes every call, key and setting; each API key belongs to exactly one.
export interface Project {
  id: string;
  name: string;
  created_at: number;
}

export const DEFAULT_PROJECT_ID = 'default';
