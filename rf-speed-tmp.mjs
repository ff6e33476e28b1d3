import { RandomForestRegression } from 'ml-random-forest';
let s=1; const rnd=()=>{s=(s*16807)%2147483647; return s/2147483647;};
const n=+process.argv[2], p=12; const X=[],y=[];
for(let i=0;i<n;i++){const r=[];for(let j=0;j<p;j++)r.push(rnd());X.push(r);y.push(r[0]*2+r[1]*r[2]+rnd());}
const t0=Date.now();
const rf=new RandomForestRegression({nEstimators:30,maxFeatures:0.5,seed:7,treeOptions:{maxDepth:5,minNumSamples:50},noOOB:true,useSampleBagging:true,replacement:true});
rf.train(X,y); console.log('train ms',Date.now()-t0, JSON.stringify(rf.toJSON()).length);
const t1=Date.now(); rf.predict(X.slice(0,1000)); console.log('pred',Date.now()-t1);
