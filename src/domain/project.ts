// A project scopes every call, key and setting; each API key belongs to exactly one.
export interface Project {
  id: string;
  name: string;
  created_at: number;
  /** Whether calls keep their input and output (off: only their figures are stored). */
  capture_content: boolean;
}

export const DEFAULT_PROJECT_ID = 'default';
