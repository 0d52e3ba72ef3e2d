/** Source, destination, protocol, port and size of the packet to send. */
import { useTranslation } from 'react-i18next';
import { stepperStore, useStepper, type Proto } from './stepperStore';

const PROTOS: readonly Proto[] = ['tcp', 'udp', 'sctp', 'icmp'];

export function ProbeForm({
  onSubmit,
  submitLabel,
  busy,
}: {
  onSubmit: () => void;
  submitLabel: string;
  busy: boolean;
}) {
  const { t } = useTranslation('stepper');
  const form = useStepper((v) => v.form);
  const endpoints = useStepper((v) => v.endpoints);
  const sources = endpoints?.sources ?? [];
  return (
    <form
      className="ps-probe"
      data-testid="probe-form"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      <label>
        {t('probe.from')}
        <select
          data-testid="probe-from"
          value={form.from}
          onChange={(e) => stepperStore.setForm({ from: e.target.value })}
        >
          {!sources.includes(form.from) && <option value={form.from}>{form.from || '—'}</option>}
          {sources.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('probe.to')}
        <input
          data-testid="probe-to"
          list="ps-probe-targets"
          value={form.to}
          placeholder={t('probe.toPlaceholder')}
          spellCheck={false}
          onChange={(e) => stepperStore.setForm({ to: e.target.value })}
        />
        <datalist id="ps-probe-targets">
          {[...(endpoints?.targets ?? []), ...(endpoints?.dnsNames ?? [])].map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
      </label>
      <label>
        {t('probe.proto')}
        <select
          data-testid="probe-proto"
          value={form.proto}
          onChange={(e) => stepperStore.setForm({ proto: e.target.value as Proto })}
        >
          {PROTOS.map((p) => (
            <option key={p} value={p}>
              {p.toUpperCase()}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('probe.port')}
        <input
          data-testid="probe-port"
          className="ps-num"
          inputMode="numeric"
          value={form.proto === 'icmp' ? '' : form.port}
          disabled={form.proto === 'icmp'}
          onChange={(e) => stepperStore.setForm({ port: e.target.value })}
        />
      </label>
      <label title={t('probe.sizeTitle')}>
        {t('probe.size')}
        <input
          data-testid="probe-size"
          className="ps-num"
          inputMode="numeric"
          value={form.size}
          placeholder={form.proto === 'icmp' ? '56' : '0'}
          onChange={(e) => stepperStore.setForm({ size: e.target.value })}
        />
      </label>
      <button type="submit" className="ps-primary" data-testid="probe-submit" disabled={busy || !form.from}>
        {submitLabel}
      </button>
    </form>
  );
}
