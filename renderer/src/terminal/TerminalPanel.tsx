/**
 * A shell on a lab host: type what you would type on a node (`ip route`, `iptables-save`,
 * `kubectl get pods -o wide` …) and read what it prints, exactly as `podpath show` prints it.
 */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { SUPPORTED_COMMANDS } from '../../../shared-sim/src/index';
import { stepperStore, useStepper } from '../stepper/stepperStore';
import { History, complete, promptFor } from './completion';

interface Entry {
  readonly prompt: string;
  readonly command: string;
  readonly stdout: string;
  readonly stderr: string;
}

export function TerminalPanel({ selected }: { selected: string | undefined }) {
  const { t } = useTranslation('stepper');
  const sources = useStepper((v) => v.endpoints?.sources ?? []);
  const [host, setHost] = useState('');
  const [line, setLine] = useState('');
  const [entries, setEntries] = useState<Entry[]>([]);
  const history = useRef(new History());
  const screen = useRef<HTMLDivElement | null>(null);

  // follow the canvas selection when it is a host
  useEffect(() => {
    if (selected && sources.includes(selected)) setHost(selected);
    else if (!sources.includes(host)) setHost(sources[0] ?? '');
  }, [selected, sources, host]);
  useEffect(() => {
    screen.current?.scrollTo({ top: screen.current.scrollHeight });
  }, [entries]);

  const run = async (command: string): Promise<void> => {
    const prompt = promptFor(host);
    history.current.push(command);
    const c = command.trim();
    if (c === '') return setEntries((e) => [...e, { prompt, command, stdout: '', stderr: '' }]);
    if (c === 'clear') return setEntries([]);
    if (c === 'help')
      return setEntries((e) => [
        ...e,
        {
          prompt,
          command,
          stdout: `${t('terminal.help', { commands: SUPPORTED_COMMANDS.join(', ') })}\n`,
          stderr: '',
        },
      ]);
    if (!host)
      return setEntries((e) => [
        ...e,
        { prompt, command, stdout: '', stderr: `${t('terminal.unknownHost')}\n` },
      ]);
    const r = await stepperStore.command(host, c);
    setEntries((e) => [
      ...e,
      r.ok
        ? { prompt, command, stdout: r.stdout, stderr: r.stderr }
        : { prompt, command, stdout: '', stderr: `${r.error}\n` },
    ]);
  };

  const onKey = (e: KeyboardEvent<HTMLInputElement>): void => {
    if (e.key === 'Enter') {
      e.preventDefault();
      const c = line;
      setLine('');
      void run(c);
    } else if (e.key === 'Tab') {
      e.preventDefault();
      const r = complete(line);
      setLine(r.text);
      if (r.candidates.length > 1)
        setEntries((x) => [
          ...x,
          { prompt: promptFor(host), command: line, stdout: `${r.candidates.join('   ')}\n`, stderr: '' },
        ]);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setLine(history.current.up() ?? line);
    } else if (e.key === 'ArrowDown') {
      e.preventDefault();
      setLine(history.current.down());
    } else if (e.key === 'l' && e.ctrlKey) {
      e.preventDefault();
      setEntries([]);
    }
  };

  return (
    <div className="ps-terminal" data-testid="terminal">
      <div className="ps-terminal-bar">
        <label>
          {t('terminal.host')}
          <select data-testid="terminal-host" value={host} onChange={(e) => setHost(e.target.value)}>
            {sources.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => setEntries([])}>
          {t('terminal.clear')}
        </button>
      </div>
      <div
        className="ps-terminal-screen"
        ref={screen}
        data-testid="terminal-screen"
        onClick={() => screen.current?.querySelector('input')?.focus()}
      >
        {entries.map((en, i) => (
          <div key={i} className="ps-terminal-entry">
            <div>
              <span className="ps-terminal-prompt">{en.prompt}</span> {en.command}
            </div>
            {en.stdout && <pre className="ps-terminal-out">{en.stdout}</pre>}
            {en.stderr && <pre className="ps-terminal-err">{en.stderr}</pre>}
          </div>
        ))}
        <div className="ps-terminal-line">
          <span className="ps-terminal-prompt">{promptFor(host)}</span>
          <input
            data-testid="terminal-input"
            aria-label={t('terminal.placeholder')}
            placeholder={t('terminal.placeholder')}
            value={line}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => setLine(e.target.value)}
            onKeyDown={onKey}
          />
        </div>
      </div>
    </div>
  );
}
