// Anthropic stop reasons → OpenAI finish reasons (an unknown future reason reads as `stop`).
const FINISH_REASONS: Readonly<Record<string, string>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  pause_turn: 'stop',
  refusal: 'content_filter',
};

export function mapStopReason(reason: unknown): string | null {
  return typeof reason === 'string' ? (FINISH_REASONS[reason] ?? 'stop') : null;
}
