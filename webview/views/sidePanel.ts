/**
 * The collapsible side panel: tabs (vscode-tabs) holding the selection, denoise and activations
 * panels, and a toggle button for the toolbar. Open/closed and the active tab are persisted.
 */
import type { VscodeTabs } from '@vscode-elements/elements/dist/vscode-tabs/vscode-tabs.js';
import type { ViewContext } from './context';
import { el } from './ui';

export interface SideTab {
  title: string;
  element: HTMLElement;
  onShow?: () => void;
}

export interface SidePanel {
  readonly element: HTMLElement;
  readonly toggle: HTMLElement;
  activeIndex(): number;
  select(index: number): void;
}

export function sidePanel(context: ViewContext, tabs: SideTab[]): SidePanel {
  const element = el('aside', 'side-panel');
  const tabsElement = document.createElement('vscode-tabs') as VscodeTabs;
  for (const tab of tabs) {
    const header = document.createElement('vscode-tab-header');
    header.slot = 'header';
    header.textContent = tab.title;
    header.dataset.tab = tab.title.toLowerCase();
    const panel = document.createElement('vscode-tab-panel');
    panel.append(tab.element);
    tabsElement.append(header, panel);
  }
  let active = Math.min(context.ui.tab ?? 0, tabs.length - 1);
  tabsElement.selectedIndex = active;
  tabsElement.addEventListener('vsc-tabs-select', (event) => {
    active = (event as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex;
    context.saveUi({ tab: active });
    tabs[active]?.onShow?.();
  });
  element.append(tabsElement);

  const toggle = el('button', 'panel-toggle', '◧ Panel');
  toggle.type = 'button';
  toggle.title = 'Show or hide the side panel';
  toggle.dataset.name = 'panel-toggle';
  const setOpen = (open: boolean) => {
    element.classList.toggle('collapsed', !open);
    toggle.classList.toggle('active', open);
    toggle.setAttribute('aria-pressed', String(open));
  };
  setOpen(context.ui.sidePanelOpen ?? true);
  toggle.addEventListener('click', () => {
    const open = element.classList.contains('collapsed');
    setOpen(open);
    context.saveUi({ sidePanelOpen: open });
  });

  return {
    element,
    toggle,
    activeIndex: () => active,
    select(index) {
      active = index;
      tabsElement.selectedIndex = index;
      tabs[index]?.onShow?.();
    },
  };
}
