// deps.js is the one place that names the vendored libraries (see
// /assets/vendor/README.md): every other module imports them from here.
import { h, render, Fragment, createContext, Component } from '/assets/vendor/preact@11.2.0/preact.mjs';
import {
  useState, useEffect, useRef, useMemo, useCallback, useContext, useLayoutEffect,
} from '/assets/vendor/preact@11.2.0/hooks.mjs';
import htm from '/assets/vendor/htm@3.1.1/htm.mjs';

/** html is the tagged template that builds Preact elements. */
export const html = htm.bind(h);
export {
  h, render, Fragment, createContext, Component,
  useState, useEffect, useRef, useMemo, useCallback, useContext, useLayoutEffect,
};
export const UPLOT_URL = '/assets/vendor/uplot@1.6.32/uPlot.esm.js';
