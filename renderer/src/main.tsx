import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Layout } from './app/Layout';

const container = document.getElementById('root');
if (container) {
  createRoot(container).render(
    <StrictMode>
      <Layout />
    </StrictMode>,
  );
}
