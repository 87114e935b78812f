import { BUILTIN_PACK_JSON } from '../rules/index.ts';

/** The app shell: the roster, estimate and filing screens live under features/. */
export function App() {
  return (
    <main className="shell">
      <header>
        <h1>村医助手</h1>
        <p>户籍花名册 · 自付费用估算 · 代报代办</p>
      </header>
      <section>
        <h2>已载入的医保政策</h2>
        <ul>
          {BUILTIN_PACK_JSON.map((p) => (
            <li key={p.id}>
              <strong>{p.region['zh-CN']}</strong> {p.name['zh-CN']}（自 {p.effective.from} 起）
            </li>
          ))}
        </ul>
      </section>
    </main>
  );
}
