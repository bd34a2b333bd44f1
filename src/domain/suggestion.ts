// Optimization suggestions (seed 001): what the recent calls say could be faster, more reliable
// or cheaper, per model, each kept until it is marked implemented or no longer holds.
export const SUGGESTION_TYPES = ['performance', 'reliability', 'cost', 'throughput'] as const;
export type SuggestionType = (typeof SUGGESTION_TYPES)[number];
export type SuggestionPriority = 'high' | 'medium' | 'low';

export interface Suggestion {
  id: string;
  project_id: string;
  /** One suggestion per type and model: generating again updates it rather than adding one. */
  key: string;
  suggestion_type: SuggestionType;
  model_name: string;
  title: string;
  description: string;
  priority: SuggestionPriority;
  potential_improvement: string;
  is_implemented: boolean;
  created_at: number;
  updated_at: number;
  implemented_at: number | null;
}
