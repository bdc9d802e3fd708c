// The squad a page shows: the squads the caller may list, and the one chosen, remembered for the
// tab (every page starts on the squad last looked at), with the picker every page's toolbar has.
import { useEffect, useState } from "preact/hooks";
import { squads } from "./api";
import type { Squad } from "./gen/touchline/v1/squad_pb";

const SQUAD_KEY = "touchline.board.squad";

export type SquadChoice = {
  squadList: Squad[] | null; // null until listed
  squadId: bigint; // 0n until one is known
  setSquadId: (id: bigint) => void;
};

export function useSquadChoice(onError: (e: unknown) => void): SquadChoice {
  const [squadList, setSquadList] = useState<Squad[] | null>(null);
  const [squadId, setSquadId] = useState<bigint>(() => BigInt(sessionStorage.getItem(SQUAD_KEY) ?? "0"));
  useEffect(() => {
    squads
      .listSquads({ pageSize: 1000 })
      .then((r) => {
        setSquadList(r.squads);
        if (r.squads.length && !r.squads.some((s) => s.id === squadId)) setSquadId(r.squads[0].id);
      })
      .catch(onError);
  }, []);
  useEffect(() => {
    if (squadId !== 0n) sessionStorage.setItem(SQUAD_KEY, String(squadId));
  }, [squadId]);
  return { squadList, squadId, setSquadId };
}

export function SquadPicker({ id, choice }: { id: string; choice: SquadChoice }) {
  return (
    <div class="field">
      <label for={id}>Squad</label>
      <select id={id} value={String(choice.squadId)} onChange={(e) => choice.setSquadId(BigInt((e.currentTarget as HTMLSelectElement).value))}>
        {(choice.squadList ?? []).map((s) => (
          <option key={String(s.id)} value={String(s.id)}>
            {s.name}
          </option>
        ))}
      </select>
    </div>
  );
}
