import { ChangeDetectionStrategy, Component } from '@angular/core';
import { RouterOutlet } from '@angular/router';
import { OfflineBanner } from './offline/offline-banner';

@Component({
  selector: 'pp-root',
  imports: [OfflineBanner, RouterOutlet],
  template: '<router-outlet /><pp-offline-banner />',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class App {}
