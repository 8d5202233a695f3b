// Entry of the full client served at /.
import './elements/parley-app.js';
