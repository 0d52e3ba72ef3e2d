/**
 * The app: start screen or editor, the dialogs, the command palette, global keyboard shortcuts,
 * the session (storage, autosave) and the Electron menu bridge.
 */
import { useEffect, useMemo, useState } from 'react';
import { I18nextProvider } from 'react-i18next';
import { handleKeyDown, setSession } from '../actions/manager';
import { i18n } from '../i18n';
import { createDeriveClient } from '../model/deriveClient';
import { editorStore, useEditor } from '../model/store';
import { getPodpath } from '../platform/podpath';
import { CommandPalette } from './CommandPalette';
import { Dialogs } from './Dialogs';
import { Layout } from './Layout';
import { connectMenu } from './menuBridge';
import { LabSession } from './session';
import { StartScreen } from './StartScreen';

function pickFile(accept: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = accept;
    input.dataset['testid'] = 'file-input';
    input.style.display = 'none';
    input.onchange = () => {
      const file = input.files?.[0];
      input.remove();
      if (!file) return resolve(undefined);
      file.text().then(resolve, () => resolve(undefined));
    };
    input.addEventListener('cancel', () => {
      input.remove();
      resolve(undefined);
    });
    document.body.appendChild(input);
    input.click();
  });
}

function download(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function App() {
  const screen = useEditor((s) => s.screen);
  const theme = useEditor((s) => s.prefs.theme);
  const [palette, setPalette] = useState(false);
  const session = useMemo(
    () =>
      new LabSession({
        store: editorStore,
        api: getPodpath(),
        pickFile,
        download,
        openCommandPalette: () => setPalette(true),
      }),
    [],
  );

  useEffect(() => {
    session.start();
    setSession(session);
    void session.loadPrefs();
    const derive = createDeriveClient((d) => editorStore.setDerived(d));
    derive.request(editorStore.getState().doc);
    const off = editorStore.subscribe((s, prev) => {
      if (s.doc !== prev.doc) derive.request(s.doc);
    });
    const onKey = (e: KeyboardEvent) => handleKeyDown(e);
    window.addEventListener('keydown', onKey);
    const beforeUnload = (e: BeforeUnloadEvent) => {
      void session.flush();
      if (session.dirty) e.preventDefault();
    };
    window.addEventListener('beforeunload', beforeUnload);
    const offMenu = connectMenu();
    return () => {
      off();
      derive.dispose();
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('beforeunload', beforeUnload);
      offMenu();
      setSession(undefined);
      session.dispose();
    };
  }, [session]);

  return (
    <I18nextProvider i18n={i18n}>
      <div className={`pp-app pp-theme-${theme}`}>
        {screen === 'start' ? <StartScreen session={session} /> : <Layout />}
        <Dialogs />
        {palette && <CommandPalette onClose={() => setPalette(false)} />}
      </div>
    </I18nextProvider>
  );
}
