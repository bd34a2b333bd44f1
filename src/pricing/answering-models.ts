// The model that answered for a name the price catalog does not know (an Azure deployment, a
// router's alias), learned from the calls priced by it, so that a call's worst case can be
// priced before it is made: a block budget can then hold back what the next call may cost
// instead of nothing. Per process, bounded; a name's latest answer wins.
const MAX_NAMES = 10_000;
const answered = new Map<string, string>();

const keyOf = (provider: string, model: string) => `${provider}\u0000${model}`;

export function rememberAnsweringModel(provider: string, model: string, responseModel: string): void {
  const key = keyOf(provider, model);
  if (answered.get(key) === responseModel) return;
  if (answered.size >= MAX_NAMES) answered.clear();
  answered.set(key, responseModel);
}

/** The model that last answered for `model` on `provider`, when one was learned. */
export function answeringModel(provider: string, model: string): string | null {
  return answered.get(keyOf(provider, model)) ?? null;
}
