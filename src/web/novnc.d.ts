declare module '@novnc/novnc' {
  /** noVNC's RFB client (the package ships no types). */
  export default class RFB extends EventTarget {
    constructor(target: HTMLElement, url: string, options?: Record<string, unknown>);
    scaleViewport: boolean;
    disconnect(): void;
  }
}
