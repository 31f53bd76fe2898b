// The visitor's widget, served as /livechat/loader.js to any website.
import { startWidget } from "../widget/widget";

const script = document.currentScript;
if (script instanceof HTMLScriptElement && !window.__livechatWidget) {
  window.__livechatWidget = true;
  void startWidget(script);
}
