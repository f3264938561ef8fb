import { useAppState } from '../state';

const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' });
const STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 7],
];

/** A timestamp as "5 min. ago", with the full date on hover; re-rendered by the app clock. */
export function RelTime({ iso }: { iso: string }) {
  const { now } = useAppState();
  const at = new Date(iso);
  let amount = Math.round((at.getTime() - now.value) / 1000);
  let label: string | undefined;
  for (const [unit, size] of STEPS) {
    if (Math.abs(amount) < size) {
      label = rtf.format(unit === 'second' ? 0 : amount, unit);
      break;
    }
    amount = Math.round(amount / size);
  }
  return (
    <time dateTime={iso} title={at.toLocaleString()}>
      {label ?? at.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' })}
    </time>
  );
}
