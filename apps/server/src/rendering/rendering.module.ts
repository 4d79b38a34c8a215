import { Global, Module } from '@nestjs/common';
import { PdfRenderer } from './pdf.renderer.js';

/** Shared document rendering: HTML to PDF through Chromium. */
@Global()
@Module({ providers: [PdfRenderer], exports: [PdfRenderer] })
export class RenderingModule {}
