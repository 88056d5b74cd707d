/** A state's name with its colour; the text carries the meaning, the colour only helps. */
export function StateBadge({ state }: { state: string }) {
  return (
    <span class={`state state-${state.toLowerCase()}`} data-state={state}>
      {state}
    </span>
  );
}
